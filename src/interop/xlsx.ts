/**
 * Spreadsheets in and out (exceljs): one sheet as a header row and records of text values,
 * each with the row number it came from so that every error can name file and row.
 */
import { existsSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { UserError } from '../errors.js';

/** exceljs is loaded only by the commands that read or write spreadsheets: it is large. */
async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: excel } = await import('exceljs');
  return new excel.Workbook();
}

export interface SheetRecord {
  /** 1-based spreadsheet row. */
  row: number;
  values: Record<string, string>;
}

export interface Sheet {
  name: string;
  header: string[];
  records: SheetRecord[];
}

/** A cell as the text a reader of the spreadsheet sees (rich text joined, formulas by result). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  return String(value);
}

/**
 * A workbook's XML is UTF-8; bytes that are not (a sheet written by a tool in GBK or Latin-1)
 * reach us as U+FFFD. Refused like such bytes in a CSV, naming the cell, rather than imported garbled.
 */
function checkUtf8(path: string, sheet: string, row: number, index: number, text: string): string {
  if (!text.includes('\uFFFD')) return text;
  throw new UserError(`${path}: sheet "${sheet}" row ${row} column ${columnName(index)}: not UTF-8 text (perhaps written as GBK/GB18030 or Latin-1); open it in Excel or LibreOffice and save it again as .xlsx.`);
}

/** 0 -> A, 25 -> Z, 26 -> AA. */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Reads one sheet (by name, else the first); the first row is the header. */
export async function readSheet(path: string, sheetName?: string): Promise<Sheet> {
  if (!existsSync(path)) throw new UserError(`${path}: no such file.`);
  const workbook = await newWorkbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read as an .xlsx workbook (${code ?? (err as Error).message}).`);
  }
  const sheet = sheetName ? workbook.getWorksheet(sheetName) : workbook.worksheets[0];
  if (!sheet) {
    const names = workbook.worksheets.map((s) => s.name).join(', ');
    throw new UserError(`${path}: no sheet ${sheetName ? `"${sheetName}"` : ''} in the workbook (it has ${names || 'no sheets'}).`);
  }
  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => {
    header[col - 1] = cellText(cell.value).trim();
  });
  header.forEach((name, i) => checkUtf8(path, sheet.name, 1, i, name));
  const records: SheetRecord[] = [];
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber === 1) return;
    const values: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name) values[name] = checkUtf8(path, sheet.name, rowNumber, i, cellText(row.getCell(i + 1).value));
    });
    if (Object.values(values).some((v) => v.trim() !== '')) records.push({ row: rowNumber, values });
  });
  return { name: sheet.name, header: header.filter(Boolean), records };
}

/** Writes one sheet: the header row, then one row per record in header order. */
export async function writeSheet(path: string, sheet: { name: string; header: string[]; rows: Record<string, string>[] }): Promise<void> {
  const workbook = await newWorkbook();
  const worksheet = workbook.addWorksheet(sheet.name);
  worksheet.addRow(sheet.header);
  for (const row of sheet.rows) worksheet.addRow(sheet.header.map((name) => row[name] ?? ''));
  await workbook.xlsx.writeFile(path);
}

import { describe, expect, it } from 'vitest';
import { parseCsvRecords, parseCsvRows } from '../../src/io/csv.js';
import { UserError } from '../../src/errors.js';

describe('CSV reader', () => {
  it('reads RFC 4180 quoting with commas, doubled quotes and newlines, keeping start lines', () => {
    const text = '\uFEFFitem,text\r\nq1,"先行新辅助治疗，\n再评估手术"\r\nq2,"He said ""no"", then left"\n\nq3,plain\n';
    const rows = parseCsvRecords(text, 'a.csv', { required: ['item', 'text'] });
    expect(rows.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rows[0].values.text).toBe('先行新辅助治疗，\n再评估手术');
    expect(rows[1].values.text).toBe('He said "no", then left');
    expect(rows[2].values).toEqual({ item: 'q3', text: 'plain' });
  });

  it('keeps an empty last field and a last line without newline', () => {
    expect(parseCsvRows('a,b\nx,', 'f.csv').map((r) => r.cells)).toEqual([['a', 'b'], ['x', '']]);
  });

  it('reports file and line for broken input', () => {
    expect(() => parseCsvRows('a,b\nx,"open\nmore', 'f.csv')).toThrow(/f\.csv:2: a quoted field is never closed/);
    expect(() => parseCsvRows('a,b\nx,"y"z', 'f.csv')).toThrow(/f\.csv:2: unexpected text after a closing quote/);
    expect(() => parseCsvRecords('item,text\nq1,a,b\n', 'f.csv', { required: ['item', 'text'] })).toThrow(/f\.csv:2: 3 fields/);
    expect(() => parseCsvRecords('item,txt\n', 'f.csv', { required: ['item', 'text'] })).toThrow(UserError);
  });
});

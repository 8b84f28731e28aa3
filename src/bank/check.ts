/**
 * Reading and checking a question bank: find its files, parse them with positions, validate
 * them, merge the files of one bank, load its taxonomy, apply the bank-wide rules and hash it.
 * Every problem becomes a diagnostic; nothing here throws for bad input. Loaded on demand by
 * src/bank/load.ts, so that a bank from the cache costs neither the parsers nor the rules.
 */
import { dirname, resolve } from 'node:path';
import { canonicalJson } from '../io/hash.js';
import type { Item, Rubric, RubricAddition, TaxonomyFile } from '../schema/bank.js';
import { bankHash, type Bank, type SourcePosition } from './bank.js';
import { countDiagnostics, displayPath, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { discoverBankFiles } from './discover.js';
import { checkEvidencePresence, checkItem, checkItemIds, checkPointTotal, checkVocabulary, type RuleContext } from './rules.js';
import { buildVocabulary, expandMatch, namesIndex, type Vocabulary } from '../matching/vocabulary.js';
import { diagnoseAt, hasTopLevelKey, locate, parseYamlSource, readYamlSource, type SourceResult, type YamlSource } from './source.js';
import { applyStatusRules, checkDraftedAdmissions } from './status-rules.js';
import type { LoadOptions, LoadResult } from './load.js';
import { validateBankFile, validateTaxonomyFile, type ParsedBankFile } from './validate.js';

export async function checkBank(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const { files, diagnostics } = discoverBankFiles(paths, options.overlay);
  const bankFiles: ParsedBankFile[] = [];
  const taxonomySources: YamlSource[] = [];
  for (const file of files) {
    const text = options.overlay?.get(file);
    const read = text === undefined ? readYamlSource(file) : parseYamlSource(file, new TextEncoder().encode(text));
    diagnostics.push(...read.diagnostics);
    if (!read.source) continue;
    // Taxonomy files live beside the bank files and are loaded through the bank's topics: key.
    if (hasTopLevelKey(read.source, 'taxonomy') && !hasTopLevelKey(read.source, 'bank')) {
      taxonomySources.push(read.source);
      continue;
    }
    const validated = validateBankFile(read.source);
    diagnostics.push(...validated.diagnostics);
    if (validated.file) bankFiles.push(validated.file);
  }

  const members = oneBank(bankFiles, diagnostics);
  let taxonomy: { file: string; taxonomy: TaxonomyFile } | undefined;
  if (members.length > 0) {
    checkHeaders(members, diagnostics);
    taxonomy = loadTaxonomy(members, taxonomySources, diagnostics);
    const terms = members.flatMap((f) => f.header.vocabulary);
    const context: RuleContext = {
      depthScale: members[0].header.depth_scale,
      topics: taxonomy && { ids: new Set(taxonomy.taxonomy.topics.map((t) => t.id)), file: taxonomy.file },
      vocabulary: { terms: buildVocabulary(terms), names: namesIndex(terms) },
      warnings: !options.errorsOnly,
    };
    diagnostics.push(...checkVocabulary(members));
    diagnostics.push(...checkItemIds(members));
    for (const raw of members.flatMap((f) => f.rawItems)) diagnostics.push(...checkPointTotal(raw));
    for (const parsed of members.flatMap((f) => f.items)) diagnostics.push(...checkItem(parsed, context));
    diagnostics.push(...checkEvidencePresence(members));
    // Matchers are scored with their vocabulary references expanded.
    for (const parsed of members.flatMap((f) => f.items)) parsed.item = expandItem(parsed.item, context.vocabulary.terms);
    if (members.every((f) => f.header.items.length === 0)) {
      diagnostics.push(diagnoseAt(members[0].source, ['items'], 'error', 'empty-bank', 'this bank has no items; add items: with at least one question', { target: 'key' }));
    }
  } else if (files.length > 0 && countDiagnostics(diagnostics).errors === 0) {
    diagnostics.push({ file: files[0], line: 1, col: 1, severity: 'error', code: 'no-bank-files', message: 'no bank file found (only taxonomy files); a bank file has bank:, version: and items: at the top' });
  }

  // A taxonomy no bank file refers to is still checked, so that its mistakes do not wait.
  for (const source of taxonomySources.filter((t) => t.file !== taxonomy?.file)) diagnostics.push(...validateTaxonomyFile(source).diagnostics);

  const reviewed = members.length > 0 ? await checkDraftedAdmissions(members, options.reviewEvents) : [];
  const found = unique([...applyStatusRules(members, diagnostics), ...reviewed]);
  const sorted = sortDiagnostics(options.errorsOnly ? found.filter((d) => d.severity === 'error') : found);
  const hasErrors = countDiagnostics(sorted).errors > 0;
  const bank = members.length > 0 && (!hasErrors || options.keepPartial) ? buildBank(members, taxonomy) : null;
  return { bank, diagnostics: sorted };
}

/** An item whose matchers' "@term" references are replaced by the terms' phrases. */
function expandItem(item: Item, vocabulary: Vocabulary): Item {
  if (vocabulary.size === 0) return item;
  const expand = <R extends Rubric | RubricAddition>(rubric: R): R => {
    const entries = <E extends { match?: Item['rubric']['points'][number]['match'] }>(list: E[]): E[] =>
      list.map((e) => (e.match ? { ...e, match: expandMatch(e.match, vocabulary) } : e));
    return { ...rubric, points: entries(rubric.points), deductions: entries(rubric.deductions), zero_if: entries(rubric.zero_if), veto: entries(rubric.veto) };
  };
  return { ...item, rubric: expand(item.rubric), variants: item.variants.map((v) => (v.rubric ? { ...v, rubric: expand(v.rubric) } : v)) };
}

/** The files of the first bank id found; files of another bank in the same call are errors. */
function oneBank(files: ParsedBankFile[], diagnostics: Diagnostic[]): ParsedBankFile[] {
  if (files.length === 0) return [];
  const id = files[0].header.bank;
  for (const other of files.filter((f) => f.header.bank !== id)) {
    diagnostics.push(
      diagnoseAt(other.source, ['bank'], 'error', 'mixed-banks', `this file belongs to bank "${other.header.bank}" but ${displayPath(files[0].source.file)} belongs to bank "${id}"; check one bank at a time, or give both files the same bank: id`),
    );
  }
  return files.filter((f) => f.header.bank === id);
}

/** Files of one bank must agree on what their items mean. */
function checkHeaders(members: ParsedBankFile[], diagnostics: Diagnostic[]): void {
  const lead = members[0];
  const leadTopics = topicsPath(lead);
  for (const file of members.slice(1)) {
    const fields: [string, unknown, unknown][] = [
      ['version', lead.header.version, file.header.version],
      ['language', lead.header.language, file.header.language],
      ['profile', lead.header.profile, file.header.profile],
      ['depth_scale', lead.header.depth_scale, file.header.depth_scale],
      ['review', lead.header.review ?? null, file.header.review ?? null],
    ];
    const theirTopics = topicsPath(file);
    if (leadTopics && theirTopics) fields.push(['topics', leadTopics, theirTopics]);
    for (const [key, mine, theirs] of fields) {
      if (canonicalJson(mine) === canonicalJson(theirs)) continue;
      const written = key in (file.source.data as object);
      diagnostics.push(
        diagnoseAt(file.source, written ? [key] : ['bank'], 'error', 'header-conflict', `files of bank "${lead.header.bank}" disagree on ${key}: ${displayPath(lead.source.file)} has ${show(mine)}, this file has ${show(theirs)}${written ? '' : ' (the default)'}; make them the same`, { target: 'key' }),
      );
    }
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : canonicalJson(value);
}

function topicsPath(file: ParsedBankFile): string | undefined {
  return file.header.topics === undefined ? undefined : resolve(dirname(file.source.file), file.header.topics);
}

/** The taxonomy the bank's topics: names; one already read beside the bank files (the usual place) is not read again. */
function loadTaxonomy(members: ParsedBankFile[], alreadyRead: readonly YamlSource[], diagnostics: Diagnostic[]): { file: string; taxonomy: TaxonomyFile } | undefined {
  const declaring = members.find((f) => f.header.topics !== undefined);
  if (!declaring) return undefined;
  const path = topicsPath(declaring)!;
  const source = alreadyRead.find((t) => t.file === path);
  // Its reading diagnostics were reported with the other files.
  const read: SourceResult = source ? { source, diagnostics: [] } : readYamlSource(path);
  const problem = (code: string, message: string) => diagnostics.push(diagnoseAt(declaring.source, ['topics'], 'error', code, message));
  if (!read.source) {
    if (read.diagnostics.some((d) => d.code === 'file-unreadable')) {
      problem('taxonomy-missing', `taxonomy file "${declaring.header.topics}" cannot be read (looked for ${displayPath(path)}); fix the topics: path (it is relative to this file) or create the taxonomy`);
    } else {
      diagnostics.push(...read.diagnostics);
      problem('taxonomy-invalid', `taxonomy file ${displayPath(path)} has errors (listed with that file); topics cannot be checked until it is fixed`);
    }
    return undefined;
  }
  const validated = validateTaxonomyFile(read.source);
  diagnostics.push(...read.diagnostics, ...validated.diagnostics);
  if (!validated.taxonomy) {
    problem('taxonomy-invalid', `taxonomy file ${displayPath(path)} has errors (listed with that file); topics cannot be checked until it is fixed`);
    return undefined;
  }
  return { file: path, taxonomy: validated.taxonomy };
}

function buildBank(members: ParsedBankFile[], taxonomy: { file: string; taxonomy: TaxonomyFile } | undefined): Bank {
  const lead = members[0].header;
  const systems = new Set(members.map((f) => f.header.system));
  const items: Item[] = [];
  const positions = new Map<string, SourcePosition>();
  for (const file of members) {
    for (const { item, index, source } of file.items) {
      if (positions.has(item.id)) continue; // a duplicate id, already reported
      // A file's default system message belongs to its own items.
      items.push(file.header.system !== undefined && item.system === undefined ? { ...item, system: file.header.system } : item);
      positions.set(item.id, itemPosition(source, index));
    }
  }
  const system = systems.size === 1 ? lead.system : undefined;
  const bank: Bank = {
    id: lead.bank,
    version: lead.version,
    language: lead.language,
    profile: lead.profile,
    depthScale: lead.depth_scale,
    ...(system !== undefined ? { system } : {}),
    ...(lead.title !== undefined ? { title: lead.title } : {}),
    ...(lead.length_adjustment !== undefined ? { lengthAdjustment: lead.length_adjustment } : {}),
    ...(lead.review ? { review: lead.review } : {}),
    ...(taxonomy ? { taxonomy: taxonomy.taxonomy, taxonomyFile: taxonomy.file } : {}),
    items,
    positions,
    files: members.map((f) => f.source.file),
    hash: '',
  };
  bank.hash = bankHash(bank);
  return bank;
}

function itemPosition(source: YamlSource, index: number): SourcePosition {
  return { file: source.file, ...locate(source, ['items', index]) };
}

function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}\u0000${d.line}\u0000${d.col}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Traditional to simplified Chinese folding (OpenCC's Hong Kong/Taiwan to Mainland tables,
 * via opencc-js), so that 腫瘤, 檢測, 術後 and 劑量 match 肿瘤, 检测, 术后 and 剂量. Applied to
 * answers and rubric phrases alike, after normalisation, keeping for every folded code unit
 * its origin in the original answer.
 */
import * as OpenCC from 'opencc-js/t2cn';
import type { NormalizedText } from './normalize.js';
import { forEachMatch } from './each-match.js';

type DictLike = string | readonly (readonly [string, string])[];

const GROUPS = [...OpenCC.Locale.from.hk, ...OpenCC.Locale.from.tw, ...OpenCC.Locale.to.cn];

let converter: ((text: string) => string) | undefined;
let foldable: Set<string> | undefined;

function entries(dict: DictLike): (readonly [string, string])[] {
  if (typeof dict !== 'string') return [...dict];
  return dict.split('|').map((pair) => pair.split(' ') as unknown as readonly [string, string]);
}

/** Characters some table changes: a run of text with none of them is already simplified (the common case, kept fast). */
function foldableChars(): Set<string> {
  if (foldable) return foldable;
  foldable = new Set();
  for (const group of GROUPS) {
    for (const dict of group) {
      for (const [from, to] of entries(dict)) {
        if (!from || from === to) continue;
        const a = [...from];
        const b = [...(to ?? '')];
        a.forEach((ch, i) => {
          if (a.length !== b.length || ch !== b[i]) foldable!.add(ch);
        });
      }
    }
  }
  return foldable;
}

function convert(text: string): string {
  const run = (converter ??= OpenCC.Converter({ from: 'hk', to: 'cn' }));
  return run(text);
}

const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;

/** The simplified form of a text whose code units keep their origins; lengths change only where a table maps one character to several. */
export function foldTraditional(input: NormalizedText): NormalizedText {
  let text = '';
  const origin: number[] = [];
  let copied = 0;
  forEachMatch(HAN_RUN, input.text, (m) => {
    const run = m[0];
    let needed = false;
    // The tables are read on the first Chinese text: a bank and answers in English never build them.
    const chars = foldableChars();
    for (const ch of run) if (chars.has(ch)) { needed = true; break; }
    if (!needed) return;
    text += input.text.slice(copied, m.index);
    for (let k = copied; k < m.index; k++) origin.push(input.origin[k]);
    const whole = convert(run);
    if (whole.length === run.length) {
      text += whole;
      for (let k = 0; k < run.length; k++) origin.push(input.origin[m.index + k]);
    } else {
      // A phrase table changed the length: fold character by character so every origin stays exact.
      for (let k = 0; k < run.length; k++) {
        const piece = convert(run[k]);
        text += piece;
        for (let p = 0; p < piece.length; p++) origin.push(input.origin[m.index + k]);
      }
    }
    copied = m.index + run.length;
  });
  if (copied === 0) return input;
  text += input.text.slice(copied);
  for (let k = copied; k <= input.text.length; k++) origin.push(input.origin[k]);
  return { text, origin };
}

/** Writes a folder of files (path -> text) into a fresh temp directory and returns it. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function writeTree(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'caps-bank-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A valid item in YAML, indented as an entry of `items:`. */
export function itemYaml(id: string, options: { topic?: string; depth?: number; extra?: string } = {}): string {
  return `  - id: ${id}
    topic: ${options.topic ?? 'staging'}
    depth: ${options.depth ?? 2}
${options.extra ?? ''}    prompt: 肺癌患者的分期如何确定？
    rubric:
      points:
        - id: ct-chest
          text: 胸部增强CT
          score: 2
          evidence: { scheme: nccn_category, level: 2A }
          match: { any: [增强CT, contrast CT] }
          examples: { hit: [先做胸部增强CT], miss: [不需要CT] }
      deductions:
        - id: skip-staging
          text: 不分期直接治疗
          score: -2
`;
}

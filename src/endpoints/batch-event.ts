/** A batch's progress as the commands print it (no dependencies: the CLI loads it at start-up). */
export interface BatchEvent {
  batch: string;
  endpoint: string;
  status: string;
  completed: number;
  failed: number;
  total: number;
}

/** One progress line: "caps COMMAND: batch ID (endpoint): status, done/total done, failed failed". */
export function formatBatchEvent(command: string, b: BatchEvent): string {
  return `caps ${command}: batch ${b.batch} (${b.endpoint}): ${b.status}, ${b.completed + b.failed}/${b.total} done, ${b.failed} failed\n`;
}

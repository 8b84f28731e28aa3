/** The "Examples:" block every command's --help ends with. */
export function examples(rows: [command: string, what: string][]): string {
  const width = Math.max(...rows.map(([command]) => command.length));
  return `\nExamples:\n${rows.map(([command, what]) => `  $ ${command.padEnd(width)}  # ${what}`).join('\n')}\n`;
}

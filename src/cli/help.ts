/**
 * What the commands' definitions share: help-text pieces and option parsers. Light on purpose:
 * a command's --help loads this module, not the command's implementation.
 */
import { InvalidArgumentError } from 'commander';

/** The "Examples:" block every command's --help ends with. */
export function examples(rows: [command: string, what: string][]): string {
  const width = Math.max(...rows.map(([command]) => command.length));
  return `\nExamples:\n${rows.map(([command, what]) => `  $ ${command.padEnd(width)}  # ${what}`).join('\n')}\n`;
}

/**
 * 25000 as "25,000", for help texts. Not `toLocaleString`: its first call loads ICU's number
 * formatting, 33-65 ms (load 9) of the start of every command that builds such a help text.
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** An option parser for whole numbers of at least `min`; commander reports the message as a usage error. */
export function wholeNumber(option: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`${option} must be a whole number of at least ${min}.`);
    return Number(value);
  };
}

import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: reported as one message and exit code 2, never as a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>;

/**
 * Parses flags with node:util `parseArgs` (strict: unknown flags, missing values and stray positionals
 * are errors), turning its errors into UsageErrors.
 * @example const { values } = parseFlags(argv, { epochs: { type: 'string' } });
 */
export function parseFlags<O extends Options>(argv: string[], options: O): Parsed<O> {
  // `pnpm train -- --epochs 3` hands the `--` on to the script: accept it as a no-op separator.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A flag's value as an integer in [min, max]. */
export function intFlag(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name}: expected an integer ${range}, got '${value}'`);
  }
  return n;
}

/** A flag's value as a finite number > 0. */
export function positiveFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a positive number, got '${value}'`);
  return n;
}

/** A flag's value that must be one of `choices`. */
export function choiceFlag<C extends string>(name: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got '${value}'`);
  return value as C;
}

/**
 * Resolves a path given on the command line against the directory the user ran the command from:
 * `pnpm train` runs the script inside examples/, but pnpm keeps the caller's directory in INIT_CWD.
 */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** A run that worked but whose result is a failure (a gradient check that does not pass): exit code 1. */
export class Failure extends Error {
  override name = 'Failure';
}

/**
 * Runs an example's `main(argv)` and turns the outcome into an exit code: 0 on success; 2 for a
 * UsageError (its message and the usage text, no stack trace); 1 for a Failure or a tapegrad error
 * (their message); any other error propagates with its stack, as a bug should.
 * @example process.exitCode = await exitCodeOf(main, USAGE, process.argv.slice(2));
 */
export async function exitCodeOf(
  main: (argv: string[]) => Promise<unknown>,
  usage: string,
  argv: string[],
  printError: (text: string) => void = (t) => console.error(t),
): Promise<number> {
  try {
    await main(argv);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof Failure || (error instanceof Error && 'op' in error)) {
      printError(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Runs an example as the program node was started with, setting the process's exit code. */
export function runMain(main: (argv: string[]) => Promise<unknown>, usage: string): void {
  void exitCodeOf(main, usage, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * Command lines of every calico-shield command, through node:util parseArgs, with its errors
 * turned into calico-shield's one-line usage messages.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `argv` holds, or the usage message for what is wrong with it. */
export function parseCommandLine<O extends Options>(
  argv: readonly string[],
  options: O,
  /** The message for an option given without its value, e.g. `--cluster needs a cluster name`. */
  needsValue: (option: string) => string,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>> | string {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
    const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return needsValue(option);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
    return message.split('\n')[0];
  }
}

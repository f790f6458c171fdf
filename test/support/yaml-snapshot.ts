/**
 * Snapshots of synthesised YAML as YAML text, not as an escaped JS string, so that a pull
 * request's snapshot diff reads like the manifest diff.
 */
export class YamlText {
  public constructor(public readonly text: string) {}
}

export const yamlSerializer = {
  test: (value: unknown): boolean => value instanceof YamlText,
  serialize: (value: YamlText): string => value.text.trimEnd(),
};

/**
 * A secret's SecretString as a JSON object, or undefined. JSON.parse errors quote their input, so
 * they are swallowed here and never reach a message.
 */
export function secretFields(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A short, safe rendering of a value taken from user input or a file, for error messages: at most `max`
 * characters, and never a throw (a hostile value may nest too deeply for JSON.stringify, or hold megabytes).
 */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'an array nested too deeply to show' : `a ${typeof value}`;
  }
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

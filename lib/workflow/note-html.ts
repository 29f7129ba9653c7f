/**
 * The API stores note bodies as HTML. Text from a form or a no-code tool is usually plain text, and sent as-is it
 * would render as one run-on line, or inject markup. Plain text is therefore escaped and wrapped in paragraphs;
 * a body that already looks like HTML is passed through for the API to handle.
 */
const HTML_TAGS = 'p|br|div|span|b|i|u|s|strong|em|ul|ol|li|a|h[1-6]|blockquote|code|pre|table|thead|tbody|tr|td|th|hr|img|mark|small|sub|sup';
// Known tags only: "<Jordan>" or "x < y > z" in a plain-text note is text to escape, not markup.
const LOOKS_LIKE_HTML = new RegExp(`<\\/?(?:${HTML_TAGS})(?:\\s[^<>]*)?\\/?>`, 'i');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

export function noteBodyToHtml(body: string): string {
  if (LOOKS_LIKE_HTML.test(body)) return body;
  const paragraphs = body
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
  if (paragraphs.length === 0) return '<p></p>';
  return paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`).join('');
}

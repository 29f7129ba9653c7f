import { describe, expect, it } from 'vitest';
import { escapeJavaScript, renderMappingTemplate } from '../support/apigateway-vtl.ts';

/*
 * The template renderer must behave like API Gateway where the webhook's templates depend on it, or their tests prove
 * nothing: each case is a documented API Gateway / Java behaviour that plain JavaScript gets wrong.
 */
const render = (template: string, request: Parameters<typeof renderMappingTemplate>[1] = { body: {} }) => renderMappingTemplate(template, request).output;

describe('the API Gateway template renderer', () => {
  it('looks up $input.params(name) in the path, then the query string, then the headers', () => {
    const template = "$input.params('x')";
    expect(render(template, { body: {}, pathParameters: { x: 'path' }, queryString: { x: 'query' }, headers: { x: 'header' } })).toBe('path');
    expect(render(template, { body: {}, queryString: { x: 'query' }, headers: { x: 'header' } })).toBe('query');
    expect(render(template, { body: {}, headers: { x: 'header' } })).toBe('header');
    expect(render(template, { body: {} })).toBe('');
    expect(render("$input.params().header.get('x')|$input.params().querystring.size()", { body: {}, queryString: { x: 'q' }, headers: { x: 'h' } })).toBe('h|1');
  });

  it('runs replaceAll and matches as java.util.regex does, over code points: an emoji is one character', () => {
    expect(render("#set($s = 'a😀b')$s.replaceAll('[^a-z]', '_')")).toBe('a_b');
    expect(render("#set($s = 'é')$s.matches('.')")).toBe('true');
    expect(render("#set($s = 'ab')$s.matches('a')")).toBe('false');
    expect(render("#set($s = 'a-b')$s.replaceAll('(a)-(b)', '$2\\$$1')")).toBe('b$a');
    // length() is String.length(): UTF-16 units, as in Java.
    expect(render("#set($s = 'a😀')$s.length()")).toBe('3');
  });

  it('replaces every occurrence with String.replace, literally', () => {
    expect(render("#set($s = 'a+b+c')$s.replace('+', '-')")).toBe('a-b-c');
    expect(render("#set($s = 'a.b')$s.replace('.', '')")).toBe('ab');
  });

  it('escapes as commons-lang escapeJavaScript: non-ASCII as \\uXXXX, quotes, slash, control characters', () => {
    expect(escapeJavaScript('é😀\u2028')).toBe('\\u00E9\\uD83D\\uDE00\\u2028');
    expect(escapeJavaScript('"\'/\\')).toBe('\\"\\\'\\/\\\\');
    expect(escapeJavaScript('\b\t\n\f\r\u0001\u001f\u007f')).toBe('\\b\\t\\n\\f\\r\\u0001\\u001F\u007f');
    expect(render("$util.escapeJavaScript('é')")).toBe('\\u00E9');
  });

  it('base64-encodes UTF-8 bytes, and writes a lone surrogate as "?" as Java does', () => {
    expect(render("$util.base64Encode('é')")).toBe(Buffer.from('é').toString('base64'));
    expect(render('$util.base64Encode($input.path(\'$.s\'))', { body: { s: 'a\uD800' } })).toBe(Buffer.from('a?').toString('base64'));
  });

  it('splits as String.split (trailing empty strings dropped) and trims as String.trim (control characters, not NBSP)', () => {
    const parts = (text: string) => render(`#set($s = '${text}')#foreach($p in $s.split(','))[$p]#end`);
    expect(parts('a,b,,')).toBe('[a][b]');
    expect(parts(',a')).toBe('[][a]');
    expect(parts('')).toBe('[]');
    expect(parts(',,')).toBe('');
    expect(render('#set($s = $input.path(\'$.s\'))[$s.trim()]', { body: { s: ' \u0001x\t ' } })).toBe('[x]');
    expect(render('#set($s = $input.path(\'$.s\'))[$s.trim()]', { body: { s: '\u00A0x ' } })).toBe('[\u00A0x]');
  });

  it('parses JSON into maps whose strings, at any depth, are java.lang.String', () => {
    expect(render("#set($o = $util.parseJson('{\"a\":{\"b\":\"xyz\"},\"c\":[\"de\"]}'))$o.a.b.length() $o.a.b.startsWith('x') $o.c[0].length()")).toBe('3 true 2');
  });

  it('gives strings a template builds the methods of java.lang.String, and sets response overrides', () => {
    expect(render('#set($a = "x")#set($b = "${a}_y")$b.length() $b.equalsIgnoreCase(\'X_Y\')')).toBe('3 true');
    const result = renderMappingTemplate('#set($context.responseOverride.status = 429)#set($context.responseOverride.header.Retry-After = "1")', { body: {} });
    expect(result).toMatchObject({ statusOverride: 429, headerOverrides: { 'Retry-After': '1' } });
  });
});

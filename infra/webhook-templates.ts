import { BEARER_PATTERN_SOURCE, BEARER_REPLACEMENT, BEARER_SPELLINGS, EMAIL_PATTERN_SOURCE, PHONE_PATTERN_SOURCE } from '../lib/redaction.ts';
import { type Answer, NOT_FOUND, START_FAILURES, STATUS_THROTTLED, THROTTLING_FRAGMENTS, UNAVAILABLE } from '../lib/webhook/answers.ts';
import {
  CALLER_ID_PATTERN, type CallerIdentitySource, ENCODED_SEPARATOR, EXECUTION_ID_PATTERN, EXECUTION_NAME_MAX, IDEMPOTENCY_HEADER,
  VERBATIM_KEY_PATTERN, VERBATIM_SEPARATOR, WITHOUT_KEY_SEPARATOR,
} from '../lib/webhook/execution-name.ts';
import { FAILURE_POINTERS } from '../lib/workflow/activity-events.ts';

/*
 * The webhook's API Gateway mapping templates (Velocity, run by API Gateway in Java), written from the rules and
 * answers in lib/webhook and lib/workflow so that a template and its TypeScript statement cannot drift apart: here
 * the execution name, GET /activities/{id}, the failure message and API Gateway's own answers; POST /activities's
 * front door in infra/webhook-front-door-templates.ts. test/support/apigateway-vtl.ts renders them with API Gateway's
 * semantics; test/infra/webhook-*.test.ts run them on hostile keys, headers, bodies, ids and messages.
 *
 * Velocity traps avoided throughout: `#set` to a null keeps the old value (so variables are set to "" first), a null
 * reference inside a string prints its own name unless written `$!`, integer division differs between engines (so
 * there is none), arithmetic is not allowed in method arguments (so it is `#set` first), an empty string is true in
 * `#if` on Velocity 1.7 (so lengths are compared), and a regex sits in a single-quoted literal (no interpolation, no
 * escapes; a quote in a pattern is written \x27).
 */

/** A static text as a JSON string literal for a template: Velocity would read `$` or `#` in it. */
export function staticJson(text: string): string {
  if (/[$#]/.test(text)) throw new Error(`template text must not contain $ or #: ${text}`);
  return JSON.stringify(text);
}

/** A static text as a single-quoted Velocity string literal (no interpolation; it cannot hold a quote). */
function vtlLiteral(text: string): string {
  if (text.includes("'")) throw new Error(`a single-quoted template literal cannot hold a quote: ${text}`);
  return `'${text}'`;
}

/** A VTL expression escaped for the inside of a JSON string. escapeJavaScript writes ' as \', which JSON does not allow. */
export function escapedForJson(expression: string): string {
  return `$util.escapeJavaScript(${expression}).replaceAll("\\\\'", "'")`;
}

/** A VTL expression as a JSON string. */
export function jsonString(expression: string): string {
  return `"${escapedForJson(expression)}"`;
}

/** `variable`: the value of one request header, its name compared without case; "" when absent. */
export function headerVtl(variable: string, header: string): string {
  if (!/^\$[A-Za-z]+$/.test(variable) || !/^[A-Za-z-]+$/.test(header)) throw new Error(`headerVtl: not a variable and a header name: ${variable} ${header}`);
  return `#set(${variable} = "")#foreach($headerName in $input.params().header.keySet())#if($headerName.equalsIgnoreCase('${header}'))#set(${variable} = $input.params().header.get($headerName))#end#end`;
}

/** `$callerId` and `$callerOk`: the caller part of every execution name (lib/webhook/execution-name.ts callerIdOf). */
export function callerVtl(source: CallerIdentitySource): string {
  const read = source === 'apiKey'
    ? ['#set($callerId = "$!context.identity.apiKeyId")']
    : ['#set($callerId = "$!context.identity.caller")', "#set($colon = $callerId.indexOf(':'))", '#if($colon >= 0)#set($callerId = $callerId.substring(0, $colon))#end'];
  return [...read, `#set($callerOk = $callerId.matches('${CALLER_ID_PATTERN}'))`].join('\n');
}

/** `$budget` and `$maxBytes`: lib's keyLimits, without division (Velocity's integer division is not JavaScript's). */
export const KEY_LIMITS_VTL = [
  `#set($budget = ${EXECUTION_NAME_MAX - 1} - $callerId.length())`,
  '#set($budgetTimesThree = $budget * 3)',
  '#set($maxBytes = ($budgetTimesThree - $budgetTimesThree % 4) / 4)',
].join('\n');

/**
 * `$name` and `$problem`: lib/webhook/execution-name.ts executionNameFor. `$problem` is "" when `$name` is set, else
 * `caller` or `key` (lib/webhook/answers.ts NamingProblem). The key comes from the headers map, compared without case,
 * never from `$input.params('Idempotency-Key')`, which would take a query-string parameter of that name first.
 */
export function executionNameVtl(source: CallerIdentitySource): string {
  return [
    callerVtl(source),
    KEY_LIMITS_VTL,
    headerVtl('$key', IDEMPOTENCY_HEADER),
    '#set($name = "")#set($problem = "")',
    "#if(!$callerOk)#set($problem = 'caller')",
    `#elseif($key.length() == 0)#set($name = "\${callerId}${WITHOUT_KEY_SEPARATOR}$context.requestId")`,
    `#elseif($key.matches('${VERBATIM_KEY_PATTERN}') && $key.length() <= $budget)#set($name = "\${callerId}${VERBATIM_SEPARATOR}$key")`,
    "#else#set($encoded = $util.base64Encode($key).replace('+', '-').replace('/', '_').replace('=', ''))",
    `#if($encoded.length() <= $budget)#set($name = "\${callerId}${ENCODED_SEPARATOR}$encoded")#else#set($problem = 'key')#end`,
    '#end',
  ].join('\n');
}

/**
 * GET /activities/{id} → DescribeExecution, only for the caller's own ids; any other id is sent as a name that cannot
 * exist, so the answer is the same 404 as for an id never used.
 */
export function describeExecutionTemplate(executionArnPrefix: string, source: CallerIdentitySource): string {
  return [
    callerVtl(source),
    '#set($id = "")',
    "#if($input.params().path.containsKey('id'))#set($id = $input.params().path.get('id'))#end",
    `#if($callerOk && $id.matches('${EXECUTION_ID_PATTERN}') && ($id.startsWith("\${callerId}${VERBATIM_SEPARATOR}") || $id.startsWith("\${callerId}${ENCODED_SEPARATOR}")))#set($lookup = $id)#else#set($lookup = 'not this caller')#end`,
    `{ "executionArn": "${executionArnPrefix}$lookup" }`,
  ].join('\n');
}

/** The status URL of the execution whose name is in `$id`. */
export const STATUS_URL = 'https://$context.domainName/$context.stage/activities/$id';

/** Sets the status and Retry-After of an answer and writes its JSON body, `extraFields` (`, "x": …`) at the end. */
export function answerVtl(answer: Answer, extraFields = ''): string {
  const retryAfter = answer.retryAfterSeconds === undefined ? '' : `#set($context.responseOverride.header.Retry-After = "${answer.retryAfterSeconds}")`;
  return `#set($context.responseOverride.status = ${answer.status})${retryAfter}\n{ "error": ${staticJson(answer.error)}, "message": ${staticJson(answer.message)}${extraFields} }`;
}

/** `$type` and `$message` of a Step Functions error response, "" when absent. */
export const ERROR_FIELDS_VTL = "#set($type = \"\")#set($type = $input.path('$.__type'))#set($message = \"\")#set($message = $input.path('$.message'))";

/** Whether `$type` contains one of a START_FAILURES entry's fragments. */
export const typeMatchesVtl = (fragments: readonly string[]) => fragments.map((fragment) => `$type.contains(${vtlLiteral(fragment)})`).join(' || ');

/** The START_FAILURES answer whose fragment `$type` contains, else UNAVAILABLE. */
export const START_FAILURE_ANSWER_VTL = [
  ...START_FAILURES.map((failure, index) => `#${index === 0 ? 'if' : 'elseif'}(${typeMatchesVtl(failure.typeContains)})\n${answerVtl(failure)}`),
  '#else',
  answerVtl(UNAVAILABLE),
  '#end',
].join('\n');

/** 5xx from Step Functions, for either method. */
export const SERVICE_UNAVAILABLE_TEMPLATE = answerVtl(UNAVAILABLE);


/** 4xx from DescribeExecution: throttled (429), else not found, whatever the reason (an id outside the caller's). */
export const STATUS_REJECTED_TEMPLATE = [
  ERROR_FIELDS_VTL,
  `#if(${typeMatchesVtl(THROTTLING_FRAGMENTS)})`,
  answerVtl(STATUS_THROTTLED),
  '#else',
  answerVtl(NOT_FOUND),
  '#end',
].join('\n');

/**
 * `$text` through lib/redaction.ts redactText (no exact secrets here): Bearer tokens, then e-mail- and phone-shaped
 * text, with the same patterns in Java's engine.
 */
const MASK_TEXT_VTL = [
  `#if(${BEARER_SPELLINGS.map((spelling) => `$text.contains('${spelling}')`).join(' || ')})#set($text = $text.replaceAll('${BEARER_PATTERN_SOURCE}', '${BEARER_REPLACEMENT}'))#end`,
  `#set($text = $text.replaceAll('${EMAIL_PATTERN_SOURCE}', '[email]').replaceAll('${PHONE_PATTERN_SOURCE}', '[phone]'))`,
].join('\n');

/**
 * `$error` and `$text` of an execution that failed, timed out or was aborted, from `$status`, `$error` and `$rawCause`
 * ("" when absent): lib/workflow/activity-events.ts failureMessageOf and the error names its events default to. Only
 * a step's own error message is quoted; any other cause may quote the execution input and is never shown.
 */
export const FAILURE_FIELDS_VTL = [
  `#if($status == "TIMED_OUT")#set($text = ${vtlLiteral(FAILURE_POINTERS.TIMED_OUT)})#elseif($status == "ABORTED")#set($text = ${vtlLiteral(FAILURE_POINTERS.ABORTED)})#else#set($text = ${vtlLiteral(FAILURE_POINTERS.FAILED)})#end`,
  // VTL has no try/catch: a cause that only looks like an object would fail the whole response if parsed, so only a
  // cause that starts and ends like one is, and only its errorMessage is used.
  '#if($rawCause.startsWith(\'{\') && $rawCause.endsWith(\'}\'))#set($cause = $util.parseJson($rawCause))#set($stepMessage = "$!cause.errorMessage")#if($stepMessage.length() > 0)#set($text = $stepMessage)#end#end',
  MASK_TEXT_VTL,
  "#if($error.length() == 0 && $status == \"TIMED_OUT\")#set($error = 'States.Timeout')#elseif($error.length() == 0 && $status == \"ABORTED\")#set($error = 'States.Aborted')#elseif($error.length() == 0)#set($error = 'States.Runtime')#end",
].join('\n');

/** Whether `$status` is one of an execution's failed end states. */
export const FAILED_STATUS_VTL = '$status == "FAILED" || $status == "TIMED_OUT" || $status == "ABORTED"';

/**
 * DescribeExecution → `{id, status, output}` once succeeded, `{id, status, error, message}` once failed, timed out or
 * aborted; never the input, the trace or a cause that is not a step's own error. The message is masked once more for
 * contact details (the steps already remove them).
 */
export const STATUS_TEMPLATE = [
  "#set($status = \"\")#set($status = $input.path('$.status'))",
  "#set($id = \"\")#set($id = $input.path('$.name'))",
  '{',
  '  "id": "$id",',
  '  "status": "$status",',
  '#if($status == "SUCCEEDED")  "output": $input.path(\'$.output\'),#end',
  `#if(${FAILED_STATUS_VTL})`,
  "#set($error = \"\")#set($error = $input.path('$.error'))#set($rawCause = \"\")#set($rawCause = $input.path('$.cause'))",
  FAILURE_FIELDS_VTL,
  `  "error": ${jsonString('$error')},`,
  `  "message": ${jsonString('$text')},`,
  '#end',
  `  "statusUrl": "${STATUS_URL}"`,
  '}',
].join('\n');

/**
 * The request validator's message without any value it quotes: API Gateway's JSON Schema validator writes values as
 * `string "…"`, `instance value (…)`, `found: …`, and a JSON parse error as `'…'` plus a `[Source: …]` excerpt of the
 * body. Property names stay (identifiers in quotes), so the caller still learns which field to fix.
 */
const QUOTED = '"(?:[^"\\\\]|\\\\[\\s\\S])*"';
const VALIDATION_MESSAGE_VTL = [
  '#set($text = "$!context.error.validationErrorString")',
  "#set($text = $text.replaceAll('\\[?Source:[\\s\\S]*', ''))",
  "#set($text = $text.replaceAll('\\x27(?:[^\\x27\\\\]|\\\\[\\s\\S])*\\x27', '(text not shown)'))",
  `#set($text = $text.replaceAll('(string|value) ${QUOTED}', '$1 (not shown)'))`,
  `#set($text = $text.replaceAll('instance value \\((?:[^()"]|${QUOTED})*\\)', 'instance value (not shown)'))`,
  "#set($text = $text.replaceAll('found: [^,)\\]]*', 'found: (not shown)'))",
  // Any other quoted text but an identifier (a property or type name): one alternation, so a kept name's closing
  // quote is consumed with it and never opens the next match.
  `#set($text = $text.replaceAll('"([A-Za-z_][A-Za-z0-9_]{0,39})"|${QUOTED}', '"$1"').replace('""', '"(not shown)"'))`,
  MASK_TEXT_VTL,
].join('\n');

const INVALID_BODY_TEMPLATE = [
  VALIDATION_MESSAGE_VTL,
  `{ "error": "Input.Invalid", "message": ${jsonString('"The body does not match the workflow input schema (hc-workflow schema prints it): $text"')} }`,
].join('\n');

export interface GatewayAnswer {
  /** aws-cdk-lib ResponseType name. */
  type: 'BAD_REQUEST_BODY' | 'BAD_REQUEST_PARAMETERS' | 'THROTTLED' | 'QUOTA_EXCEEDED' | 'REQUEST_TOO_LARGE' | 'INTEGRATION_TIMEOUT' | 'DEFAULT_4XX' | 'DEFAULT_5XX';
  template: string;
  retryAfterSeconds?: number;
}

const fixed = (error: string, message: string) => `{ "error": ${staticJson(error)}, "message": ${staticJson(message)} }`;

/** API Gateway's own answers (before or instead of an integration), all JSON, none quoting the request. */
export const GATEWAY_ANSWERS: readonly GatewayAnswer[] = [
  { type: 'BAD_REQUEST_BODY', template: INVALID_BODY_TEMPLATE },
  { type: 'BAD_REQUEST_PARAMETERS', template: fixed('BadRequest', 'A required part of the request is missing: POST /activities takes a JSON body; GET /activities/{id} takes an id.') },
  { type: 'THROTTLED', retryAfterSeconds: 1, template: fixed('Throttled', 'Too many requests for this API key; send the same request again after Retry-After seconds.') },
  { type: 'QUOTA_EXCEEDED', retryAfterSeconds: 3600, template: fixed('QuotaExceeded', 'This API key has used its daily request quota; send the same request again tomorrow (UTC) or ask for a higher quota.') },
  { type: 'REQUEST_TOO_LARGE', template: fixed('Input.Invalid', 'The body is too large: a workflow input is at most 200 KiB of JSON.') },
  { type: 'INTEGRATION_TIMEOUT', retryAfterSeconds: 5, template: fixed('Timeout', 'The workflow service did not answer in time; send the same request again with the same Idempotency-Key.') },
  { type: 'DEFAULT_4XX', template: fixed('Refused', 'The request was refused: check the URL (POST /activities, GET /activities/{id}) and the x-api-key header.') },
  { type: 'DEFAULT_5XX', retryAfterSeconds: 5, template: fixed('Unavailable', 'The webhook could not take the request; send the same request again after Retry-After seconds.') },
];

import { EMAIL_PATTERN_SOURCE, PHONE_PATTERN_SOURCE } from '../lib/redaction.ts';
import {
  type Answer, CALLER_UNKNOWN, DUPLICATE_STATUS_HINT, DUPLICATE_STATUS_UNKNOWN, DUPLICATE_MESSAGE, EARLIER_START_MS,
  FAILURE_WITHOUT_STEP_MESSAGE, NOT_FOUND, START_FAILURES, STATUS_THROTTLED, UNAVAILABLE,
} from '../lib/webhook/answers.ts';
import {
  CALLER_ID_PATTERN, type CallerIdentitySource, ENCODED_SEPARATOR, EXECUTION_ID_PATTERN, EXECUTION_NAME_MAX, IDEMPOTENCY_HEADER,
  keyRuleMessage, VERBATIM_KEY_PATTERN, VERBATIM_SEPARATOR, WITHOUT_KEY_SEPARATOR,
} from '../lib/webhook/execution-name.ts';

/*
 * The webhook's API Gateway mapping templates (Velocity, run by API Gateway in Java), written from the rules and
 * answers in lib/webhook so the direct integration and the waiter Lambda cannot drift apart. test/support/apigateway-vtl.ts
 * renders them with API Gateway's semantics; test/infra/webhook-*.test.ts run them on hostile keys, bodies and ids.
 *
 * Velocity traps avoided throughout: `#set` to a null keeps the old value (so variables are set to "" first), a null
 * reference inside a string prints its own name unless written `$!`, integer division differs between engines (so
 * there is none), and a regex sits in a single-quoted literal (no interpolation, no escapes).
 */

/** A static text as a JSON string literal for a template: Velocity would read `$` or `#` in it. */
function staticJson(text: string): string {
  if (/[$#]/.test(text)) throw new Error(`template text must not contain $ or #: ${text}`);
  return JSON.stringify(text);
}

/** A VTL expression as a JSON string body. escapeJavaScript writes ' as \', which JSON does not allow (AWS's workaround). */
function jsonString(expression: string): string {
  return `"$util.escapeJavaScript(${expression}).replaceAll("\\\\'", "'")"`;
}

/** `$callerId` and `$callerOk`: the caller part of every execution name (lib/webhook/execution-name.ts callerIdOf). */
export function callerVtl(source: CallerIdentitySource): string {
  const read = source === 'apiKey'
    ? ['#set($callerId = "$!context.identity.apiKeyId")']
    : ['#set($callerId = "$!context.identity.caller")', "#set($colon = $callerId.indexOf(':'))", '#if($colon >= 0)#set($callerId = $callerId.substring(0, $colon))#end'];
  return [...read, `#set($callerOk = $callerId.matches('${CALLER_ID_PATTERN}'))`].join('\n');
}

/** `$budget` and `$maxBytes`: lib's keyLimits, without division (Velocity's integer division is not JavaScript's). */
const KEY_LIMITS_VTL = [
  `#set($budget = ${EXECUTION_NAME_MAX - 1} - $callerId.length())`,
  '#set($budgetTimesThree = $budget * 3)',
  '#set($maxBytes = ($budgetTimesThree - $budgetTimesThree % 4) / 4)',
].join('\n');

/**
 * `$name`: lib/webhook/execution-name.ts executionNameFor, or a name Step Functions refuses (InvalidName), which the
 * rejection template turns into the 400 or 500 the Lambda gives. The key comes from the headers map, compared without
 * case, never from `$input.params('Idempotency-Key')`, which would take a query-string parameter of that name first.
 */
export function executionNameVtl(source: CallerIdentitySource): string {
  return [
    callerVtl(source),
    KEY_LIMITS_VTL,
    '#set($key = "")',
    `#foreach($headerName in $input.params().header.keySet())#if($headerName.equalsIgnoreCase('${IDEMPOTENCY_HEADER}'))#set($key = $input.params().header.get($headerName))#end#end`,
    "#if(!$callerOk)#set($name = 'caller unknown')",
    `#elseif($key.length() == 0)#set($name = "\${callerId}${WITHOUT_KEY_SEPARATOR}$context.requestId")`,
    `#elseif($key.matches('${VERBATIM_KEY_PATTERN}') && $key.length() <= $budget)#set($name = "\${callerId}${VERBATIM_SEPARATOR}$key")`,
    "#else#set($encoded = $util.base64Encode($key).replace('+', '-').replace('/', '_').replace('=', ''))",
    `#if($encoded.length() <= $budget)#set($name = "\${callerId}${ENCODED_SEPARATOR}$encoded")#else#set($name = 'key too long')#end`,
    '#end',
  ].join('\n');
}

/** POST /activities → StartExecution. */
export function startExecutionTemplate(stateMachineArn: string, source: CallerIdentitySource): string {
  return [
    executionNameVtl(source),
    '{',
    `  "stateMachineArn": "${stateMachineArn}",`,
    '  "name": "$name",',
    `  "input": ${jsonString("$input.json('$')")}`,
    '}',
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

const STATUS_URL = 'https://$context.domainName/$context.stage/activities/$id';

/** Sets the status and Retry-After of an answer and writes its JSON body. */
function answerVtl(answer: Answer, extraFields = ''): string {
  const retryAfter = answer.retryAfterSeconds === undefined ? '' : `#set($context.responseOverride.header.Retry-After = "${answer.retryAfterSeconds}")`;
  return `#set($context.responseOverride.status = ${answer.status})${retryAfter}\n{ "error": ${staticJson(answer.error)}, "message": ${staticJson(answer.message)}${extraFields} }`;
}

/** `$id`: the execution name at the end of an execution ARN held in `$arn`. */
const ID_FROM_ARN_VTL = "#set($idStart = $arn.lastIndexOf(':') + 1)#set($id = $arn.substring($idStart))";

/**
 * 200 from StartExecution: 202 with the id, or, when Step Functions returned an execution that started before this
 * request (a repeat of a running delivery), 200 `duplicate: true`.
 */
export const ACCEPTED_TEMPLATE = [
  '#set($arn = "")#set($arn = $input.path(\'$.executionArn\'))',
  ID_FROM_ARN_VTL,
  "#set($startedMs = $input.path('$.startDate') * 1000)",
  '#set($ageMs = $context.requestTimeEpoch - $startedMs)',
  `#if($ageMs > ${EARLIER_START_MS})#set($context.responseOverride.status = 200)`,
  `{ "id": "$id", "duplicate": true, "status": "RUNNING", "message": ${staticJson(DUPLICATE_MESSAGE)}, "statusUrl": "${STATUS_URL}" }`,
  '#else',
  `{ "id": "$id", "status": "RUNNING", "statusUrl": "${STATUS_URL}" }`,
  '#end',
].join('\n');

/** `$type` and `$message` of a Step Functions error response, "" when absent. */
const ERROR_FIELDS_VTL = "#set($type = \"\")#set($type = $input.path('$.__type'))#set($message = \"\")#set($message = $input.path('$.message'))";

/**
 * 4xx from StartExecution. ExecutionAlreadyExists: the key was accepted before, so 200 duplicate (the direct integration
 * cannot read how that execution went: `status` is UNKNOWN and the message points to statusUrl and /activities/sync).
 * InvalidName: only the template's own refusal names reach it, so it is the key rule (400) or a missing caller (500).
 * Throttling and limits: 429/503 with Retry-After. Anything else is ours: 503.
 */
export function startRejectedTemplate(source: CallerIdentitySource): string {
  const failures = START_FAILURES.map((failure) =>
    `#elseif(${failure.typeContains.map((fragment) => `$type.contains('${fragment}')`).join(' || ')})\n${answerVtl(failure)}`);
  return [
    ERROR_FIELDS_VTL,
    callerVtl(source),
    KEY_LIMITS_VTL,
    "#if($type.contains('ExecutionAlreadyExists'))",
    '#set($context.responseOverride.status = 200)',
    "#set($first = $message.indexOf(\"'\"))#set($last = $message.lastIndexOf(\"'\"))#set($arnStart = $first + 1)",
    `#set($arn = "")#if($first >= 0 && $last > $first)#set($arn = $message.substring($arnStart, $last))#end${ID_FROM_ARN_VTL}`,
    `#if(!$id.matches('${EXECUTION_ID_PATTERN}'))#set($id = "")#end`,
    `{ "id": "$id", "duplicate": true, "status": "${DUPLICATE_STATUS_UNKNOWN}", "message": ${staticJson(DUPLICATE_STATUS_HINT)}, "statusUrl": "${STATUS_URL}" }`,
    "#elseif($type.contains('InvalidName') && !$callerOk)",
    answerVtl(CALLER_UNKNOWN),
    "#elseif($type.contains('InvalidName'))",
    answerVtl({ status: 400, error: 'IdempotencyKey.Invalid', message: '' }).replace('"message": ""', `"message": ${JSON.stringify(keyRuleMessage({ verbatimChars: '$budget', encodedBytes: '$maxBytes' }))}`),
    ...failures,
    '#else',
    answerVtl(UNAVAILABLE),
    '#end',
  ].join('\n');
}

/** 5xx from Step Functions, for either method. */
export const SERVICE_UNAVAILABLE_TEMPLATE = answerVtl(UNAVAILABLE);

/** 4xx from DescribeExecution: throttled (429), else not found, whatever the reason (an id outside the caller's). */
export const STATUS_REJECTED_TEMPLATE = [
  ERROR_FIELDS_VTL,
  `#if(${START_FAILURES[0]?.typeContains.map((fragment) => `$type.contains('${fragment}')`).join(' || ')})`,
  answerVtl(STATUS_THROTTLED),
  '#else',
  answerVtl(NOT_FOUND),
  '#end',
].join('\n');

/** `$text` with e-mail- and phone-shaped parts masked: lib/redaction.ts's patterns in Java's engine. */
const MASK_CONTACTS_VTL = `#set($text = $text.replaceAll('${EMAIL_PATTERN_SOURCE}', '[email]').replaceAll('${PHONE_PATTERN_SOURCE}', '[phone]'))`;

/**
 * DescribeExecution → `{id, status, output}` once succeeded, `{id, status, error, message}` once failed, timed out or
 * aborted; never the input, the trace or a cause that is not a step's own error. The message is masked once more for
 * contact details (the steps already remove them).
 */
export const STATUS_TEMPLATE = [
  "#set($status = $input.path('$.status'))",
  "#set($id = $input.path('$.name'))",
  '{',
  '  "id": "$id",',
  '  "status": "$status",',
  '#if($status == "SUCCEEDED")  "output": $input.path(\'$.output\'),#end',
  '#if($status == "FAILED" || $status == "TIMED_OUT" || $status == "ABORTED")',
  // VTL has no try/catch: a cause that only looks like an object would fail the whole response if parsed, so only a
  // cause that starts and ends like one is, and only its errorMessage is used.
  `#set($text = ${staticJson(FAILURE_WITHOUT_STEP_MESSAGE)})`,
  "#set($rawCause = \"\")#set($rawCause = $input.path('$.cause'))",
  "#if($rawCause.startsWith('{') && $rawCause.endsWith('}'))#set($cause = $util.parseJson($rawCause))#if($cause.errorMessage)#set($text = $cause.errorMessage)#end#end",
  MASK_CONTACTS_VTL,
  '#set($error = "")#set($error = $input.path(\'$.error\'))',
  "#if($error.length() == 0 && $status == \"TIMED_OUT\")#set($error = 'States.Timeout')#elseif($error.length() == 0 && $status == \"ABORTED\")#set($error = 'States.Aborted')#elseif($error.length() == 0)#set($error = 'States.Runtime')#end",
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
  MASK_CONTACTS_VTL,
].join('\n');

export const INVALID_BODY_TEMPLATE = [
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
  { type: 'DEFAULT_4XX', template: fixed('Refused', 'The request was refused: check the URL (POST /activities, POST /activities/sync, GET /activities/{id}) and the x-api-key header.') },
  { type: 'DEFAULT_5XX', retryAfterSeconds: 5, template: fixed('Unavailable', 'The webhook could not take the request; send the same request again after Retry-After seconds.') },
];

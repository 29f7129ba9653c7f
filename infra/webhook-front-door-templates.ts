import {
  type Answer, CALLER_DATA_ERRORS, CALLER_UNKNOWN, DUPLICATE_MESSAGE, DUPLICATE_UNREAD, FrontDoorAnswer, MAX_WAIT_SECONDS, NamingProblem,
  UNAVAILABLE,
} from '../lib/webhook/answers.ts';
import { type CallerIdentitySource, EXECUTION_ID_PATTERN, keyRuleMessage } from '../lib/webhook/execution-name.ts';
import { THROTTLING_FRAGMENTS } from '../lib/webhook/answers.ts';
import { DELTA_SECONDS_PATTERN, OWS_EDGES_PATTERN, PREFER_HEADER, WAIT_TOKEN_PATTERN, WITHIN_CAP_PATTERN } from '../lib/webhook/prefer.ts';
import {
  answerVtl, callerVtl, ERROR_FIELDS_VTL, escapedForJson, executionNameVtl, FAILED_STATUS_VTL, FAILURE_FIELDS_VTL, headerVtl, jsonString,
  KEY_LIMITS_VTL, START_FAILURE_ANSWER_VTL, staticJson, STATUS_URL, typeMatchesVtl,
} from './webhook-templates.ts';

/*
 * POST /activities's mapping templates around the Express front door (infra/webhook-front-door.ts): the request
 * template names the execution and reads `Prefer: wait`, the response template turns the front door's answer
 * (lib/webhook/answers.ts FrontDoorAnswer) into the HTTP answer. Shared pieces and Velocity's traps:
 * infra/webhook-templates.ts.
 */

/** `$waitSeconds`: lib/webhook/prefer.ts preferredWaitSeconds of the Prefer header, 0 when it holds no readable wait. */
const PREFER_WAIT_VTL = [
  headerVtl('$prefer', PREFER_HEADER),
  '#set($waitSeconds = 0)#set($waitSeen = false)',
  "#foreach($preference in $prefer.split(','))#if(!$waitSeen)",
  "#set($withoutParameters = $preference.replaceAll(';[\\s\\S]*', ''))#set($equals = $withoutParameters.indexOf('='))",
  "#if($equals < 0)#set($token = $withoutParameters)#set($value = '')#else#set($token = $withoutParameters.substring(0, $equals))#set($valueStart = $equals + 1)#set($value = $withoutParameters.substring($valueStart))#end",
  `#if($token.replaceAll('${OWS_EDGES_PATTERN}', '').matches('${WAIT_TOKEN_PATTERN}'))#set($waitSeen = true)`,
  `#set($value = $value.replaceAll('${OWS_EDGES_PATTERN}', '').replaceAll('^"([\\s\\S]*)"$', '$1'))`,
  // No number parsing in templates: leading zeros off, then the cap as a pattern; the digits become a JSON number.
  `#if($value.matches('${DELTA_SECONDS_PATTERN}'))#set($value = $value.replaceAll('^0+(?=[0-9])', ''))#if($value.matches('${WITHIN_CAP_PATTERN}'))#set($waitSeconds = $value)#else#set($waitSeconds = ${MAX_WAIT_SECONDS})#end#end`,
  '#end#end#end',
].join('\n');

/**
 * POST /activities → StartSyncExecution of the front door with `{name, waitSeconds, input}`, or `{problem,
 * waitSeconds}` when no execution can be named. `input` is the body as API Gateway's JSON text, a string inside the
 * front door's input (so escaped twice), which the front door passes to StartExecution unchanged: the same delivery
 * always sends the same name and the same input, which is what makes StartExecution idempotent while it runs.
 */
export function frontDoorRequestTemplate(frontDoorArn: string, source: CallerIdentitySource): string {
  return [
    executionNameVtl(source),
    PREFER_WAIT_VTL,
    '{',
    `  "stateMachineArn": "${frontDoorArn}",`,
    '#if($problem.length() > 0)',
    '  "input": "{\\"problem\\":\\"$problem\\",\\"waitSeconds\\":$waitSeconds}"',
    '#else',
    `  "input": "{\\"name\\":\\"$name\\",\\"waitSeconds\\":$waitSeconds,\\"input\\":\\"${escapedForJson(escapedForJson("$input.json('$')"))}\\"}"`,
    '#end',
    '}',
  ].join('\n');
}

/** `$members`: the workflow output's members followed by a comma ("" for an empty or unreadable output), from `$outputText`. */
const OUTPUT_MEMBERS_VTL = [
  '#set($members = "")',
  "#if($outputText.startsWith('{') && $outputText.endsWith('}'))#set($innerEnd = $outputText.length() - 1)#set($inner = $outputText.substring(1, $innerEnd).trim())#if($inner.length() > 0)#set($members = \"$inner,\")#end#end",
].join('\n');

const idFields = `, "id": "$id", "statusUrl": "${STATUS_URL}"`;
const THROTTLED_UNREAD: Answer = { ...DUPLICATE_UNREAD, status: 429, error: 'Throttled' };
const isKind = (kind: string) => `$kind == '${kind}'`;

/**
 * StartSyncExecution's answer → the HTTP answer. The front door ran to its end (status SUCCEEDED) with one of the
 * FrontDoorAnswer kinds in its output; any other end of the front door is our fault (503, send again). The workflow's
 * output is spliced in at the top level, beside id and status, where a no-code tool maps its fields; ours come last,
 * so an output field can never replace them. The input, the trace and any cause but a step's own message stay out.
 */
export function frontDoorAnswerTemplate(source: CallerIdentitySource): string {
  const keyRefused = answerVtl({ status: 400, error: 'IdempotencyKey.Invalid', message: '' })
    .replace('"message": ""', `"message": ${JSON.stringify(keyRuleMessage({ verbatimChars: '$budget', encodedBytes: '$maxBytes' }))}`);
  return [
    "#set($doorStatus = \"\")#set($doorStatus = $input.path('$.status'))#set($kind = \"\")",
    "#if($doorStatus == \"SUCCEEDED\")#set($door = $util.parseJson($input.path('$.output')))#set($kind = \"$!door.answer\")#end",
    `#set($id = "$!door.id")#if(!$id.matches('${EXECUTION_ID_PATTERN}'))#set($id = "")#end`,
    `#set($waited = 0)#set($waited = $door.waitSeconds)#if((${isKind(FrontDoorAnswer.accepted)} || ${isKind(FrontDoorAnswer.finished)} || ${isKind(FrontDoorAnswer.duplicate)}) && $waited > 0)#set($context.responseOverride.header.Preference-Applied = "wait=$waited")#end`,
    `#if(${isKind(FrontDoorAnswer.accepted)})`,
    '#set($context.responseOverride.status = 202)',
    `{ "id": "$id", "status": "RUNNING", "statusUrl": "${STATUS_URL}" }`,
    `#elseif(${isKind(FrontDoorAnswer.finished)} || ${isKind(FrontDoorAnswer.duplicate)})`,
    '#set($execution = $door.execution)#set($status = "$!execution.Status")#if(!$status.matches(\'[A-Z_]{1,20}\'))#set($status = \'UNKNOWN\')#end',
    `#if(${isKind(FrontDoorAnswer.duplicate)})#set($duplicateField = ' "duplicate": true,')#else#set($duplicateField = '')#end`,
    '#if($status == "SUCCEEDED")',
    '#set($outputText = "$!execution.Output")',
    OUTPUT_MEMBERS_VTL,
    '#set($context.responseOverride.status = 200)',
    `{ $members "id": "$id", "status": "SUCCEEDED",$duplicateField "statusUrl": "${STATUS_URL}" }`,
    `#elseif(${FAILED_STATUS_VTL})`,
    '#set($error = "$!execution.Error")#set($rawCause = "$!execution.Cause")',
    FAILURE_FIELDS_VTL,
    `#if(${isKind(FrontDoorAnswer.duplicate)})#set($context.responseOverride.status = 200)#elseif(${CALLER_DATA_ERRORS.map((error) => `$error == '${error}'`).join(' || ')})#set($context.responseOverride.status = 422)#else#set($context.responseOverride.status = 502)#end`,
    `{ "id": "$id", "status": "$status",$duplicateField "error": ${jsonString('$error')}, "message": ${jsonString('$text')}, "statusUrl": "${STATUS_URL}" }`,
    '#else',
    '#set($context.responseOverride.status = 200)',
    `{ "id": "$id", "duplicate": true, "status": "$status", "message": ${staticJson(DUPLICATE_MESSAGE)}, "statusUrl": "${STATUS_URL}" }`,
    '#end',
    `#elseif(${isKind(FrontDoorAnswer.unread)})`,
    '#set($type = "$!door.failure.Error $!door.failure.Cause")',
    `#if(${typeMatchesVtl(THROTTLING_FRAGMENTS)})`,
    answerVtl(THROTTLED_UNREAD, idFields),
    '#else',
    answerVtl(DUPLICATE_UNREAD, idFields),
    '#end',
    `#elseif(${isKind(FrontDoorAnswer.refused)} && $door.problem == '${NamingProblem.caller}')`,
    answerVtl(CALLER_UNKNOWN),
    `#elseif(${isKind(FrontDoorAnswer.refused)})`,
    callerVtl(source),
    KEY_LIMITS_VTL,
    keyRefused,
    `#elseif(${isKind(FrontDoorAnswer.notStarted)})`,
    '#set($type = "$!door.failure.Error $!door.failure.Cause")',
    START_FAILURE_ANSWER_VTL,
    '#else',
    answerVtl(UNAVAILABLE),
    '#end',
  ].join('\n');
}

/** 4xx from StartSyncExecution itself (the front door could not be started): throttling 429, else as START_FAILURES. */
export const SYNC_START_REJECTED_TEMPLATE = [ERROR_FIELDS_VTL, '#set($type = "$type $message")', START_FAILURE_ANSWER_VTL].join('\n');

/**
 * Every error code switchboard uses, with its kind (who failed: see {@link ErrorKind}) and what it means. Codes are
 * stable: logs, API answers (`{"error": code, "message": …}`), CLI exit messages and tests match on them. A new code
 * goes here first; `SwitchboardError` only takes a catalogued one, and a test checks that every `E_…` string in src/
 * is here.
 */

/**
 * Where a failure came from (after grammY): the remote side refused (`remote`), the network or I/O failed
 * (`transport`), our own code or a model we ship misbehaved (`internal`), or the caller gave us something unusable
 * (`input`: a bad request, a missing or corrupt model directory, a bad config value).
 */
export type ErrorKind = 'remote' | 'transport' | 'internal' | 'input';

interface CodeInfo {
  kind: ErrorKind;
  /** What happened, for the person reading a log or an API answer. */
  meaning: string;
  /** The HTTP status the server answers with, when an API can return it. */
  status?: number;
}

export const ERROR_CODES = {
  // Configuration and the command line
  E_ARGS: { kind: 'input', meaning: 'a command was given arguments it cannot use' },
  E_USAGE: { kind: 'input', meaning: 'an unknown flag, a stray argument or a missing required flag' },
  E_CONFIG: {
    kind: 'input',
    meaning: 'bot.yaml or an environment variable is invalid (the path or variable is named)',
  },
  E_PATTERN: { kind: 'input', meaning: 'a --patterns file or a bot.yaml pattern is not a valid regular expression' },
  // Data for training and evaluation
  E_DATA: { kind: 'input', meaning: 'a training or evaluation data file is unusable (named as file:line)' },
  E_BACKGROUND: { kind: 'input', meaning: 'the background corpus of out-of-scope sentences is missing or unreadable' },
  E_EVAL_SHAPE: { kind: 'input', meaning: 'predictions and labels given to a metric do not line up' },
  // Models
  E_MODEL_MISSING: { kind: 'input', meaning: 'a model directory or one of its files does not exist' },
  E_MODEL_MANIFEST: { kind: 'input', meaning: "a model's manifest.json is not valid" },
  E_MODEL_KIND: { kind: 'input', meaning: 'the directory holds another kind or version of model' },
  E_MODEL_CHECKSUM: { kind: 'input', meaning: "a model file's sha256 differs from its manifest's" },
  E_MODEL_CORRUPT: { kind: 'input', meaning: 'a model file cannot be read' },
  E_MODEL_FILE: { kind: 'input', meaning: "a model's side file (its drift baseline) cannot be read" },
  E_MODEL_SHAPE: { kind: 'internal', meaning: "a model's tables do not match its features (a training bug)" },
  E_MODEL_OUTPUT: { kind: 'internal', meaning: 'a model produced non-finite scores' },
  E_ONNX_LOAD: { kind: 'input', meaning: 'ONNX Runtime rejected a model file' },
  E_ONNX_FEED: { kind: 'internal', meaning: "the inputs given to ONNX Runtime do not fit the model's (shapes logged)" },
  E_ONNX_RUN: { kind: 'internal', meaning: 'ONNX Runtime failed while running a model' },
  E_LANGUAGE_PROFILE_MISSING: { kind: 'input', meaning: 'the language profile directory or file does not exist' },
  E_LANGUAGE_PROFILE_CORRUPT: { kind: 'input', meaning: 'the language profile cannot be read' },
  E_LANGUAGE_UNKNOWN: {
    kind: 'input',
    meaning: 'a language code switchboard does not know (the known ones are listed)',
  },
  E_ENTITY_TYPE: { kind: 'input', meaning: 'an entity type the rule recognizers do not have' },
  E_ENTITY_MODEL: { kind: 'internal', meaning: 'the rule recognizers lack a model they should have' },
  E_RELOAD: { kind: 'internal', meaning: 'reloading the models failed (the old ones keep serving)', status: 500 },
  // Stores
  E_STORE_OPEN: {
    kind: 'input',
    meaning: 'the database could not be opened at startup (or the store file is missing)',
  },
  E_STORE_UNAVAILABLE: { kind: 'transport', meaning: 'the database is unreachable right now', status: 503 },
  E_STORE_BUSY: {
    kind: 'transport',
    meaning: 'every database connection stayed in use for 5 s (overload): send the request again shortly',
    status: 503,
  },
  E_LISTEN: {
    kind: 'input',
    meaning: 'the server cannot listen on HOST:PORT (the port is in use or needs privileges)',
  },
  // The server's APIs
  E_BAD_REQUEST: { kind: 'input', meaning: 'a request body or parameter is invalid (the field is named)', status: 400 },
  E_UNAUTHORIZED: { kind: 'input', meaning: 'no or a wrong bearer token', status: 401 },
  E_NOT_FOUND: { kind: 'input', meaning: 'no such route', status: 404 },
  E_CHAT_TOKEN: {
    kind: 'input',
    meaning: 'a web chat request without a valid conversation token (POST /api/chat/conversations issues one)',
    status: 401,
  },
  E_TOO_MANY_STREAMS: {
    kind: 'input',
    meaning: 'too many open web chat event streams, from this client or in total (SWITCHBOARD_WEB_STREAMS_*)',
    status: 429,
  },
  E_TOO_LARGE: { kind: 'input', meaning: 'a request body over the limit', status: 413 },
  E_INTERNAL: { kind: 'internal', meaning: 'our code failed while answering a request (logged)', status: 500 },
  // Handoff and measurement
  E_TICKET_NOT_FOUND: { kind: 'input', meaning: 'no such ticket', status: 404 },
  E_TICKET_STATE: { kind: 'input', meaning: "the ticket's state does not allow the move", status: 409 },
  E_NOT_CLAIMANT: { kind: 'input', meaning: 'another agent claimed the ticket', status: 403 },
  E_NOT_ELIGIBLE: {
    kind: 'input',
    meaning: "the agent lacks the ticket's language or skill (bot.yaml agents); claim with override to take it anyway",
    status: 403,
  },
  E_SIGN_IN: { kind: 'input', meaning: 'an agent sign-in with a wrong id, password or sign-in link', status: 401 },
  E_SIGN_IN_LOCKED: {
    kind: 'input',
    meaning: 'too many wrong passwords for this agent id: sign-in paused for a minute',
    status: 429,
  },
  E_NOT_YOU: {
    kind: 'input',
    meaning: 'a signed-in agent named another agent in a request (a session acts only as its own agent)',
    status: 403,
  },
  E_TOO_LONG: { kind: 'input', meaning: "an agent's message is longer than a customer can be sent" },
  E_TURN_NOT_FOUND: { kind: 'input', meaning: 'no such turn in the turn log', status: 404 },
  E_NOT_SAMPLED: { kind: 'input', meaning: 'the turn is not in the audit sample', status: 409 },
  E_ALREADY_AUDITED: { kind: 'input', meaning: 'the turn was audited already', status: 409 },
  E_NOT_YOUR_AUDIT: {
    kind: 'input',
    meaning: "a verdict may be replaced only by the agent who gave it (another agent's stands)",
    status: 403,
  },
  E_NO_SENDER: { kind: 'internal', meaning: 'a turn came from a channel that is not mounted' },
  E_NOT_RECORDED: {
    kind: 'transport',
    meaning:
      'an inbound turn could not be recorded in the inbox or the spool: it is refused so the channel sends it again',
    status: 503,
  },
  E_LEASE_LOST: {
    kind: 'internal',
    meaning:
      "a turn's inbox lease ran out and another instance took the turn before this one sent its reply: this one does not send it",
  },
  E_INBOX_ROW: {
    kind: 'internal',
    meaning: 'an unfinished inbox row could not be read back (marked failed, not retried)',
  },
  // Channels
  E_NOT_CONNECTED: {
    kind: 'remote',
    meaning: "the customer's web chat page is not connected (delivered on reconnect)",
  },
  E_SLACK_AUTH: { kind: 'input', meaning: 'Slack refused the bot token at startup' },
  E_SLACK_API: { kind: 'remote', meaning: 'the Slack Web API answered with an error' },
  E_SLACK_TRANSPORT: { kind: 'transport', meaning: 'the Slack Web API could not be reached' },
  E_SLACK_ADDRESS: { kind: 'internal', meaning: 'a stored Slack address lacks its channel or thread' },
  E_TEAMS_SEND: { kind: 'remote', meaning: 'the Bot Framework Connector refused a message' },
  E_TEAMS_TOKEN: { kind: 'transport', meaning: "the bot's token for the Connector could not be obtained" },
  E_TEAMS_UNAUTHENTICATED: {
    kind: 'input',
    meaning:
      'Bot Framework authentication is off and the activity is not local (a remote or proxied request, or a serviceUrl not on loopback)',
    status: 403,
  },
  E_TEAMS_ADDRESS: { kind: 'input', meaning: 'a stored Teams address is not a ConversationReference' },
  E_WEBHOOK_SIGNATURE: {
    kind: 'input',
    meaning: "a webhook request's signature is missing, stale or wrong",
    status: 401,
  },
  E_WEBHOOK_SEND: { kind: 'remote', meaning: 'the webhook gateway answered a reply with non-2xx' },
  E_WEBHOOK_TRANSPORT: { kind: 'transport', meaning: 'the webhook gateway could not be reached in time' },
} as const satisfies Record<string, CodeInfo>;

/** A catalogued error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

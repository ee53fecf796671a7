/**
 * The words of a draining session's refusal (./draining.ts), apart from the workflow code so that
 * the client (src/client/update-retries.ts) can recognize it without loading the workflow SDK.
 * Runs from before 'session-drain-accepts-work' refused with the same message.
 */
export const SESSION_CONTINUING_AS_NEW = 'the session is continuing as new: send this again in a moment';
export const SESSION_CONTINUING_AS_NEW_TYPE = 'session_continuing_as_new';

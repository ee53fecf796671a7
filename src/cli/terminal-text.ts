/* eslint-disable no-control-regex -- finding control characters and escape sequences is what this module is for */
/**
 * Text from MCP servers and the model reaches a terminal: escape sequences in it could move the
 * cursor, clear the screen, set the window title or plant hyperlinks (OSC 8), and hide what a
 * tool returned. Everything printed for people goes through these; `--json` output is escaped by
 * JSON.stringify already.
 */

// ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), ESC P/X/^/_ … ESC \ (DCS, SOS, PM, APC), ESC + one byte.
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const STRING_SEQUENCE = /\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)/g;
const OTHER_ESCAPE = /\u001b[\s\S]?/g;
// C0 controls but \t and \n, DEL, and C1 controls (U+0080-U+009F: 8-bit CSI/OSC on some terminals).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const SGR = /^\u001b\[[0-9;]*m$/;

/** One table cell or value: every escape sequence and control character removed (shown as `�`). */
export function plainText(text: string): string {
  return text.replace(STRING_SEQUENCE, '�').replace(CSI, '�').replace(OTHER_ESCAPE, '�').replace(CONTROLS, '�');
}

/** A whole line we print: our own colours (SGR) stay; any other sequence or control goes. */
export function terminalLine(text: string): string {
  return text
    .replace(STRING_SEQUENCE, '�')
    .replace(CSI, (sequence) => (SGR.test(sequence) ? sequence : '�'))
    .replace(/\u001b(?!\[[0-9;]*m)[\s\S]?/g, '�')
    .replace(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g, '�');
}

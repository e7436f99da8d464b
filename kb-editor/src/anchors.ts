// Comment anchors: Yjs relative positions over the body text, base64-encoded as the API stores
// them. A relative position follows its character through concurrent edits, so a comment stays on
// the words it was written about.

import * as Y from "yjs";

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 1) out[i] = s.charCodeAt(i);
  return out;
}

export function encodeAnchor(text: Y.Text, from: number, to: number): { start: string; end: string } {
  // The start sticks to the character after it and the end to the character before it, so text
  // typed at either edge is not pulled into the comment.
  const start = Y.createRelativePositionFromTypeIndex(text, from, 0);
  const end = Y.createRelativePositionFromTypeIndex(text, to, -1);
  return { start: toBase64(Y.encodeRelativePosition(start)), end: toBase64(Y.encodeRelativePosition(end)) };
}

/** Where an anchor is now, or null when its text was deleted or it cannot be read. */
export function resolveAnchor(doc: Y.Doc, anchor: { start: string; end: string }): { from: number; to: number } | null {
  try {
    const start = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(anchor.start)), doc);
    const end = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(anchor.end)), doc);
    if (!start || !end || end.index <= start.index) return null;
    return { from: start.index, to: end.index };
  } catch {
    return null;
  }
}

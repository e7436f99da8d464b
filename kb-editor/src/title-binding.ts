// Binds a plain <input> to the article's title Y.Text: local typing becomes the smallest
// insert/delete, remote edits update the field without moving the caret more than they must.

import * as Y from "yjs";

export function bindTitle(input: HTMLInputElement, text: Y.Text): () => void {
  const origin = { title: input };
  input.value = text.toString();
  const onInput = () => {
    const before = text.toString();
    const after = input.value;
    let start = 0;
    while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
    let endBefore = before.length;
    let endAfter = after.length;
    while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
      endBefore -= 1;
      endAfter -= 1;
    }
    text.doc?.transact(() => {
      if (endBefore > start) text.delete(start, endBefore - start);
      if (endAfter > start) text.insert(start, after.slice(start, endAfter));
    }, origin);
  };
  const observer = (event: Y.YTextEvent) => {
    if (event.transaction.origin === origin) return;
    let caret = input.selectionStart ?? 0;
    let index = 0;
    for (const op of event.delta) {
      if (op.retain) index += op.retain;
      else if (typeof op.insert === "string") {
        if (index < caret) caret += op.insert.length;
        index += op.insert.length;
      } else if (op.delete) {
        if (index < caret) caret -= Math.min(op.delete, caret - index);
      }
    }
    input.value = text.toString();
    if (document.activeElement === input) input.setSelectionRange(caret, caret);
  };
  input.addEventListener("input", onInput);
  text.observe(observer);
  return () => {
    input.removeEventListener("input", onInput);
    text.unobserve(observer);
  };
}

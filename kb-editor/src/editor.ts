// The Markdown editor: CodeMirror 6 bound to the article's Y.Text by y-codemirror.next, which also
// draws the other people's cursors and selections with their names and colours.

import { Compartment, EditorState, StateEffect, StateField, type Range } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap } from "@codemirror/commands";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import {
  Language,
  defineLanguageFacet,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { GFM, parser as markdownParser } from "@lezer/markdown";
import * as Y from "yjs";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";

// The Markdown grammar straight from @lezer/markdown (with GitHub tables, task lists,
// strikethrough): @codemirror/lang-markdown would also pull in the HTML, CSS and JavaScript
// grammars for embedded code, doubling the bundle for colouring we do not need.
const markdownLanguage = new Language(defineLanguageFacet({ commentTokens: {} }), markdownParser.configure([GFM]), [], "markdown");

/** What an editor of prose needs; no autocompletion or lint, and undo comes from Yjs (per person). */
const setup = [
  lineNumbers(),
  highlightSpecialChars(),
  drawSelection(),
  indentOnInput(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  highlightActiveLine(),
  highlightSelectionMatches(),
  // Tab is deliberately not bound: it moves focus out of the editor like everywhere else on the
  // page, so a keyboard user is never trapped (Markdown rarely needs a literal tab).
  keymap.of([...defaultKeymap, ...searchKeymap]),
];

const setHighlights = StateEffect.define<{ from: number; to: number }[]>();

/** Commented ranges, underlined so a reviewer sees what a comment is about. */
const highlights = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    let next = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setHighlights)) {
        const marks: Range<Decoration>[] = effect.value
          .filter((r) => r.to > r.from && r.to <= tr.state.doc.length)
          .map((r) => Decoration.mark({ class: "cm-commented" }).range(r.from, r.to));
        next = Decoration.set(marks, true);
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export class MarkdownEditor {
  readonly view: EditorView;
  private readonly editable = new Compartment();

  constructor(parent: HTMLElement, text: Y.Text, awareness: Awareness, label: string) {
    const undoManager = new Y.UndoManager(text);
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text.toString(),
        extensions: [
          setup,
          markdownLanguage,
          EditorView.lineWrapping,
          keymap.of(yUndoManagerKeymap),
          yCollab(text, awareness, { undoManager }),
          highlights,
          this.editable.of([]),
          EditorView.contentAttributes.of({ "aria-label": label, "data-testid": "body-editor" }),
        ],
      }),
    });
  }

  setReadOnly(readOnly: boolean): void {
    this.view.dispatch({
      effects: this.editable.reconfigure(readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []),
    });
  }

  /** The current selection as character offsets (UTF-16, as Y.Text counts them). */
  selection(): { from: number; to: number } {
    const { from, to } = this.view.state.selection.main;
    return { from, to };
  }

  select(from: number, to: number): void {
    this.view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
    this.view.focus();
  }

  highlight(ranges: { from: number; to: number }[]): void {
    this.view.dispatch({ effects: setHighlights.of(ranges) });
  }

  destroy(): void {
    this.view.destroy();
  }
}

// One article's shared document: a Y.Doc synced with the server over the standard y-websocket
// protocol, the person's presence (name and colour) in awareness, and the connection state the
// status bar shows (connected / offline with N pending changes / synced).

import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import * as decoding from "lib0/decoding";

export type ConnState =
  | { kind: "connecting" }
  | { kind: "connected" }
  | { kind: "synced" }
  | { kind: "offline"; pending: number }
  | { kind: "closed"; reason: string };

export interface Person {
  clientId: number;
  name: string;
  color: string;
  self: boolean;
}

// Distinct, readable on white, and paired with a light tint for remote selections.
const PALETTE: [string, string][] = [
  ["#1f77b4", "#1f77b433"],
  ["#d62728", "#d6272833"],
  ["#2ca02c", "#2ca02c33"],
  ["#9467bd", "#9467bd33"],
  ["#ff7f0e", "#ff7f0e33"],
  ["#17becf", "#17becf33"],
  ["#e377c2", "#e377c233"],
  ["#8c564b", "#8c564b33"],
];

/** The same person gets the same colour everywhere. */
export function colorFor(name: string): [string, string] {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

export class Collab {
  readonly doc = new Y.Doc();
  readonly title = this.doc.getText("title");
  readonly body = this.doc.getText("body");
  readonly provider: WebsocketProvider;
  private pending = 0;
  private closedReason: string | null = null;
  private stateListeners = new Set<(s: ConnState) => void>();
  private deniedListeners = new Set<(reason: string) => void>();
  private readonly onOnline = () => this.provider.connect();
  private readonly onOffline = () => this.provider.disconnect();

  constructor(articleId: string, username: string) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/v1/kb/sync`, articleId, this.doc, {
      // Each tab talks to the server itself, so "pending" really means "not yet sent to the server".
      disableBc: true,
      connect: navigator.onLine,
    });
    const [color, colorLight] = colorFor(username);
    this.provider.awareness.setLocalStateField("user", { name: username, color, colorLight });

    // The server answers a write from a read-only role with the protocol's permission-denied
    // message; show its reason instead of the library's console warning.
    this.provider.messageHandlers[2] = (_enc, decoder) => {
      if (decoding.readVarUint(decoder) === 0) {
        const reason = decoding.readVarString(decoder);
        for (const fn of this.deniedListeners) fn(reason);
      }
    };
    this.provider.on("status", () => this.emit());
    this.provider.on("sync", (synced: boolean) => {
      // The server has everything we had once the sync handshake completes after (re)connecting.
      if (synced) this.pending = 0;
      this.emit();
    });
    this.provider.on("closed", (event: { code: number; reason: string }) => {
      this.closedReason = event.reason || `code ${event.code}`;
      this.emit();
    });
    this.doc.on("update", (_update: Uint8Array, origin: unknown) => {
      if (origin !== this.provider && !this.provider.wsconnected) {
        this.pending += 1;
        this.emit();
      }
    });
    // The browser knows before the socket does: disconnect at once when the network goes away so
    // edits are counted as pending, and reconnect as soon as it comes back.
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  state(): ConnState {
    if (this.closedReason !== null) return { kind: "closed", reason: this.closedReason };
    const p = this.provider;
    if (p.wsconnected) return p.synced ? { kind: "synced" } : { kind: "connected" };
    if (!navigator.onLine || !p.shouldConnect) return { kind: "offline", pending: this.pending };
    if (p.wsconnecting && this.pending === 0) return { kind: "connecting" };
    return { kind: "offline", pending: this.pending };
  }

  /** After the server closed the connection for good (4400–4499), the person may try again. */
  reconnect(): void {
    this.closedReason = null;
    this.provider.connect();
    this.emit();
  }

  onState(fn: (s: ConnState) => void): void {
    this.stateListeners.add(fn);
    fn(this.state());
  }

  onDenied(fn: (reason: string) => void): void {
    this.deniedListeners.add(fn);
  }

  people(): Person[] {
    const out: Person[] = [];
    for (const [clientId, state] of this.provider.awareness.getStates()) {
      const user = (state as { user?: { name?: string; color?: string } }).user;
      if (!user?.name) continue;
      out.push({
        clientId,
        name: user.name,
        color: user.color ?? "#555",
        self: clientId === this.doc.clientID,
      });
    }
    return out.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }

  onPeople(fn: (people: Person[]) => void): void {
    this.provider.awareness.on("change", () => fn(this.people()));
    fn(this.people());
  }

  private emit(): void {
    const s = this.state();
    for (const fn of this.stateListeners) fn(s);
  }

  destroy(): void {
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.stateListeners.clear();
    this.deniedListeners.clear();
    // Say goodbye so the others' presence lists drop this person now, not after the 30 s timeout.
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    this.doc.destroy();
  }
}

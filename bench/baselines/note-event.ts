// The createNote step's event (lib/workflow/state.ts) as the baselines read it: what the Task state passes, with the
// note still to write. Types only, so that nothing of it is bundled.
export interface NoteRun {
  prospectId: string;
  idempotencyKey: string;
  warnings: string[];
}

export interface NoteEvent {
  state: { sections: { note: Record<string, unknown> }; run: NoteRun };
  execution: { name: string; startTime: string };
}

/** The next state, as the step returns it. */
export interface NoteResult {
  sections: NoteEvent['state']['sections'];
  run: NoteRun & { noteId: string };
}

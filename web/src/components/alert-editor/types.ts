import type { CapMessageType } from "@hub/contracts";
import type { ReactNode } from "react";
import type { AlertForm, FieldKey } from "../../alerts/form";
import type { MessageDecision } from "../../api";

/** Where a new message comes from: a new alert, or an Update or Cancel of a published one. */
export interface NewOrigin {
  msgType: CapMessageType;
  alertId: string | null;
}

/** What the editor shows: a message not saved yet (with its starting form), or a saved one by id. */
export type EditorTarget =
  | ({ kind: "new"; key: string; form: AlertForm } & NewOrigin)
  | { kind: "message"; key: string; id: string };

/** The action under way. */
export type Busy = "save" | MessageDecision | "update" | "cancel";

export interface ShownProblem {
  field: FieldKey | "note" | null;
  text: string;
}

/** What every field needs to show its problem: its id, aria-invalid, aria-describedby, and the problem itself. */
export interface FieldHelpers {
  fieldId(field: string): string;
  invalid(field: string): true | undefined;
  describedBy(field: string, ...others: string[]): string | undefined;
  problemAt(field: string | null): ReactNode;
}

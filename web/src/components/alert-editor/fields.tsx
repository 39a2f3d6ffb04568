import type { ReactNode } from "react";
import type { FieldHelpers, ShownProblem } from "./types";

/**
 * The field helpers for the problem shown now: a field's id (`fieldId`), whether it is invalid, what describes it, and
 * the problem's paragraph where it belongs (`problemAt(null)`: the editor-wide one).
 */
export function fieldHelpers(
  id: string,
  fieldId: (field: string) => string,
  problem: ShownProblem | null,
): FieldHelpers {
  const problemAt = (field: string | null): ReactNode =>
    problem && problem.field === field ? (
      <p
        id={`${id}-problem`}
        className="error field-error"
        role="alert"
        data-testid={field === null ? "editor-error" : "field-error"}
        data-field={field ?? ""}
      >
        {problem.text}
      </p>
    ) : null;
  const invalid = (field: string) => (problem?.field === field ? true : undefined);
  const describedBy = (field: string, ...others: string[]) =>
    [...others, problem?.field === field ? `${id}-problem` : ""].filter(Boolean).join(" ") || undefined;
  return { fieldId, invalid, describedBy, problemAt };
}

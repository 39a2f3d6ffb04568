import type { ReactNode } from "react";

export interface CheckOption<T extends string> {
  value: T;
  label: ReactNode;
  testId: string;
  /** The box's own id, where a problem focuses it. */
  id?: string;
}

interface CheckGroupProps<T extends string> {
  legend: ReactNode;
  options: readonly CheckOption<T>[];
  checked: readonly T[];
  onToggle(value: T, on: boolean): void;
  /** The fieldset's id: it can then take the focus when a problem is about the whole group. */
  id?: string;
  /** Inside another fieldset. */
  nested?: boolean;
  /** Shown instead of the boxes when there are no options. */
  empty?: ReactNode;
  /** After the boxes, e.g. the group's problem. */
  children?: ReactNode;
}

/** A fieldset of checkboxes, one a value (the case lookup's filters, an alert's categories and districts). */
export function CheckGroup<T extends string>({
  legend,
  options,
  checked,
  onToggle,
  id,
  nested = false,
  empty,
  children,
}: CheckGroupProps<T>) {
  return (
    <fieldset
      className={`case-fieldset${nested ? " nested" : ""}`}
      id={id}
      tabIndex={id === undefined ? undefined : -1}
    >
      <legend>{legend}</legend>
      {options.length === 0 && empty !== undefined ? (
        empty
      ) : (
        <div className="checks">
          {options.map((option) => (
            <label key={option.value} className="check">
              <input
                type="checkbox"
                id={option.id}
                data-testid={option.testId}
                checked={checked.includes(option.value)}
                onChange={(event) => onToggle(option.value, event.target.checked)}
              />
              {option.label}
            </label>
          ))}
        </div>
      )}
      {children}
    </fieldset>
  );
}

import { CAP_CATEGORIES, CAP_RESPONSE_TYPES, type CapCategory, type CapResponseType } from "@hub/contracts";
import { type AlertForm, toggled } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import { CheckGroup } from "../CheckGroup";
import type { FieldHelpers } from "./types";

/** CAP's categories and response types: a group of checkboxes each, kept in CAP's order. */
export function CapChoices({
  form,
  onCategories,
  onResponseTypes,
  fieldId,
  problemAt,
}: {
  form: AlertForm;
  onCategories(change: (previous: CapCategory[]) => CapCategory[]): void;
  onResponseTypes(change: (previous: CapResponseType[]) => CapResponseType[]): void;
} & Pick<FieldHelpers, "fieldId" | "problemAt">) {
  const { t } = useI18n();
  return (
    <>
      <CheckGroup
        id={fieldId("categories")}
        legend={t("alertField_categories")}
        options={CAP_CATEGORIES.map((category) => ({
          value: category,
          label: t(`capCategory_${category}`),
          testId: `category-${category}`,
        }))}
        checked={form.categories}
        onToggle={(category, on) => onCategories((previous) => toggled(previous, category, on, CAP_CATEGORIES))}
      >
        {problemAt("categories")}
      </CheckGroup>
      <CheckGroup
        id={fieldId("responseTypes")}
        legend={t("alertField_responseTypes")}
        options={CAP_RESPONSE_TYPES.map((type) => ({
          value: type,
          label: t(`capResponse_${type}`),
          testId: `response-${type}`,
        }))}
        checked={form.responseTypes}
        onToggle={(type, on) => onResponseTypes((previous) => toggled(previous, type, on, CAP_RESPONSE_TYPES))}
      >
        {problemAt("responseTypes")}
      </CheckGroup>
    </>
  );
}

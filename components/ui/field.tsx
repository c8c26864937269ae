import type { ComponentProps } from "react";

export function Field({
  label,
  name,
  errors,
  hint,
  ...input
}: ComponentProps<"input"> & { label: string; name: string; errors?: string[]; hint?: string }) {
  const id = input.id ?? `f-${name}`;
  const errId = `${id}-error`;
  const hasError = Boolean(errors?.length);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-stone-700">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={hasError || undefined}
        aria-describedby={hasError ? errId : undefined}
        className={`block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500 ${hasError ? "border-red-400" : "border-stone-300"}`}
        {...input}
      />
      {hint && !hasError && <p className="text-xs text-stone-500">{hint}</p>}
      {hasError && (
        <p id={errId} className="text-sm text-red-600" role="alert">
          {errors!.join(" ")}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </div>
  );
}

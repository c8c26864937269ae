import type { HelpLine, LinkStrategy } from "@/lib/connectors/contract";
import { sandbox } from "@/lib/sandbox";

type FormHelp = NonNullable<Extract<LinkStrategy, { kind: "form" }>["help"]>;

function Line({ line }: { line: HelpLine }) {
  if (!line.link) return <>{line.text}</>;
  const external = /^https?:\/\//.test(line.link.href);
  return (
    <>
      {line.text}{" "}
      <a className="text-brand-700 underline" href={line.link.href} target="_blank" rel="noreferrer">
        {line.link.label}
      </a>
      {external ? "." : ""}
    </>
  );
}

/** A form step's help: numbered instructions, then the form, then notes (sandbox notes only while the sandbox is on). */
export function FormHelp({ help, children }: { help?: FormHelp; children: React.ReactNode }) {
  if (!help) return <>{children}</>;
  const sandboxOn = sandbox() !== null;
  return (
    <div className="space-y-4">
      {help.steps?.length ? (
        <ol className="list-decimal space-y-1 pl-5 text-sm text-stone-600">
          {help.steps.map((l, i) => (
            <li key={i}>
              <Line line={l} />
            </li>
          ))}
        </ol>
      ) : null}
      {sandboxOn &&
        help.sandboxNotes?.map((l, i) => (
          <p key={i} className="text-sm text-stone-600">
            <Line line={l} />
          </p>
        ))}
      {children}
      {help.notes?.map((l, i) => (
        <p key={i} className="text-xs text-stone-500">
          <Line line={l} />
        </p>
      ))}
    </div>
  );
}

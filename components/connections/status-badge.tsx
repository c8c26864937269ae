import type { ConnectionStatus } from "@/db/schema";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const LABELS: Record<ConnectionStatus, [string, BadgeTone]> = {
  active: ["Active", "green"],
  syncing: ["Syncing", "blue"],
  reauth_required: ["Needs reconnect", "amber"],
  error: ["Error", "red"],
  disconnected: ["Disconnected", "gray"],
};

export function StatusBadge({ status }: { status: ConnectionStatus }) {
  const [label, tone] = LABELS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

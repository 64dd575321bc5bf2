// The community directory's screen logic: search-as-you-type over services,
// categories with counts, and a person's connections with the moves each may make next.
import type {
  CommunityService,
  Connection,
  ConnectionStatus,
  PersonRecord,
  ServiceCategory,
  ServiceId,
} from "./bindings";

/** Lower case, curly apostrophes straightened, so "men's" finds "Men’s". */
function normalise(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
}

/** The text a search looks in: name, organisation, what it offers and where it is. */
function searchableText(service: CommunityService): string {
  return normalise(
    [service.name, service.organisation, service.description, service.address, service.postcode]
      .filter((part): part is string => typeof part === "string")
      .join(" "),
  );
}

/** True when every word typed appears somewhere in the service's name, description or area. */
export function serviceMatches(service: CommunityService, typed: string): boolean {
  const words = normalise(typed).split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return true;
  const text = searchableText(service);
  return words.every((word) => text.includes(word));
}

/** The services to show: in the chosen category (null: all), matching what was typed. */
export function filterServices(
  services: CommunityService[],
  typed: string,
  category: ServiceCategory | null,
): CommunityService[] {
  return services.filter(
    (service) =>
      (category === null || service.category === category) && serviceMatches(service, typed),
  );
}

/** How many services each category holds, in the order given (categories with none left out). */
export function categoryCounts(
  services: CommunityService[],
  order: ServiceCategory[],
): { category: ServiceCategory; count: number }[] {
  return order
    .map((category) => ({
      category,
      count: services.filter((service) => service.category === category).length,
    }))
    .filter((entry) => entry.count > 0);
}

/** The statuses a connection may move to next (the same table as the Rust domain's). */
export function nextConnectionMoves(status: ConnectionStatus): ConnectionStatus[] {
  switch (status) {
    case "signposted":
      return ["referred", "attended", "stopped"];
    case "referred":
      return ["attended", "stopped"];
    case "attended":
      return ["stopped"];
    case "stopped":
      return [];
  }
}

/** A person's connections from their record, the most recently changed first. */
export function connectionsOf(record: PersonRecord): Connection[] {
  const connections: Connection[] = [];
  for (const entry of record.timeline) {
    if (entry.item.kind === "connection") connections.push(entry.item.connection);
  }
  return connections.sort(
    (left, right) =>
      right.status_changed_on.localeCompare(left.status_changed_on) ||
      right.made_on.localeCompare(left.made_on),
  );
}

/** The name of the service a connection is to, or a plain fallback if it is not in the list. */
export function serviceName(services: CommunityService[], id: ServiceId): string {
  return services.find((service) => service.id === id)?.name ?? "A service no longer listed";
}

/** "Added 48 services, updated 0, 2 left out" — what an import did, in one line. */
export function importSummary(added: number, updated: number, rejected: number): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `Added ${plural(added, "service")}, updated ${updated}, ${rejected} left out.`;
}

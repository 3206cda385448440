import { localDay } from "../loyalty/calendar.js";
import type { Member } from "../loyalty/member.js";
import { chooseStores } from "./choice.js";
import type { PassStore, StorePlaces } from "./places.js";

/**
 * The stores a member's card shows, in order: the choice stored on the member (`passStoreIds`, made
 * by the last card update, which pushed the card when it changed), else — a member from before the
 * choice existed, or one whose chosen store has since been deleted or disabled — the choice made now
 * from the same inputs. Apple and Google cards both draw their locations from here.
 */
export const cardStores = (places: StorePlaces, member: Member, now: Date, timeZone: string): PassStore[] => {
  const stored = member.passStoreIds?.map((id) => places.get(id));
  if (stored && stored.length > 0 && stored.every((s) => s !== undefined)) return stored as PassStore[];
  return chooseStores({
    places,
    favouriteStoreIds: member.favouriteStoreIds,
    visits: member.activity?.stores,
    homeStoreId: member.homeStoreId,
    today: localDay(now, timeZone),
  }).flatMap((id) => places.get(id) ?? []);
};

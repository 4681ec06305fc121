/** Where a subscription listens: (stream, group) for a group, (stream, group, id) for one item. */
export function toRoomKey(streamName: string, groupId: string, id?: string): string {
  return id === undefined ? `${streamName}\u0000${groupId}` : `${streamName}\u0000${groupId}\u0000${id}`
}

/**
 * Which members listen where, matched exactly on (stream, group, id). A member may hold several
 * subscriptions on one room; it is counted once.
 */
export interface Rooms<TMember> {
  join(room: string, member: TMember): void
  leave(room: string, member: TMember): void
  /** The members of a room, or none. */
  membersOf(room: string): ReadonlyMap<TMember, number> | undefined
  readonly size: number
}

/** Creates an empty room index. */
export function createRooms<TMember>(): Rooms<TMember> {
  const rooms = new Map<string, Map<TMember, number>>()
  return {
    join(room, member) {
      let members = rooms.get(room)
      if (!members) {
        members = new Map()
        rooms.set(room, members)
      }
      members.set(member, (members.get(member) ?? 0) + 1)
    },
    leave(room, member) {
      const members = rooms.get(room)
      const count = members?.get(member)
      if (!members || count === undefined) return
      if (count > 1) members.set(member, count - 1)
      else members.delete(member)
      if (members.size === 0) rooms.delete(room)
    },
    membersOf: (room) => rooms.get(room),
    get size() {
      return rooms.size
    },
  }
}

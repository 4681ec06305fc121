import type { Database } from 'better-sqlite3'
import { MotiaError } from '../../errors.ts'
import { createFeed, toSafeSink } from '../../feed.ts'
import type { StreamChange, StreamItem, StreamStore } from '../../streams/stream-store.ts'
import { toStreamJson } from '../../streams/to-stream-json.ts'
import { writeBatchOf } from './write-batch.ts'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS stream_items (
    stream TEXT NOT NULL,
    group_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (stream, group_id, item_id)
  );
  CREATE INDEX IF NOT EXISTS stream_items_order ON stream_items (stream, group_id, created_seq);
`

/**
 * Stream items in the project's SQLite file, durable across restarts, sharing the connection and
 * group commit of the job store. Changes reach this process's listeners once committed (the file
 * has one process).
 */
export function createSqliteStreamStore(options: { db: Database; onError?: (error: unknown) => void }): StreamStore {
  const { db } = options
  db.exec(SCHEMA)
  const selectItem = db.prepare<[string, string, string], string>('SELECT data FROM stream_items WHERE stream = ? AND group_id = ? AND item_id = ?').pluck()
  // The returned sequence is the one this write passed only when the row is new: create vs update from the write itself.
  const upsert = db
    .prepare<[string, string, string, string, number, number], number>(
      `INSERT INTO stream_items (stream, group_id, item_id, data, created_seq, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (stream, group_id, item_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
       RETURNING created_seq`,
    )
    .pluck()
  const deleteItem = db.prepare<[string, string, string], string>('DELETE FROM stream_items WHERE stream = ? AND group_id = ? AND item_id = ? RETURNING data').pluck()
  const selectGroup = db.prepare<[string, string], string>('SELECT data FROM stream_items WHERE stream = ? AND group_id = ? ORDER BY created_seq').pluck()
  const selectGroups = db.prepare<[string], string>('SELECT DISTINCT group_id FROM stream_items WHERE stream = ? ORDER BY group_id').pluck()
  let sequence = (db.prepare('SELECT max(created_seq) FROM stream_items').pluck().get() as number | null) ?? 0
  const batch = writeBatchOf(db)
  const feed = createFeed<StreamChange>(toSafeSink(options.onError))
  let closed = false

  function assertOpen(): void {
    if (closed) throw new MotiaError('STREAMS_CLOSED', 'The SQLite stream store is closed. Create a new store to keep using streams.')
  }

  return {
    async get(stream, group, id) {
      assertOpen()
      const json = selectItem.get(stream, group, id)
      return json === undefined ? null : (JSON.parse(json) as StreamItem)
    },
    async set(stream, group, item) {
      const json = toStreamJson(stream, group, item.id, item)
      assertOpen()
      batch.join()
      sequence += 1
      const created = upsert.get(stream, group, item.id, json, sequence, Date.now()) === sequence
      await batch.committed()
      feed.report({ streamName: stream, groupId: group, id: item.id, type: created ? 'create' : 'update', json })
      return { created }
    },
    async delete(stream, group, id) {
      assertOpen()
      batch.join()
      const json = deleteItem.get(stream, group, id)
      await batch.committed()
      if (json === undefined) return null
      feed.report({ streamName: stream, groupId: group, id, type: 'delete', json })
      return JSON.parse(json) as StreamItem
    },
    async getGroup(stream, group) {
      assertOpen()
      return selectGroup.all(stream, group).map((json) => JSON.parse(json) as StreamItem)
    },
    async groups(stream) {
      assertOpen()
      return selectGroups.all(stream)
    },
    async publish(change) {
      assertOpen()
      feed.report(change)
    },
    onChange: (listener) => feed.listen(listener),
    async close() {
      closed = true
    },
  }
}

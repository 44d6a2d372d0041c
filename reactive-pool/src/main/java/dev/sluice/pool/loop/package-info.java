/**
 * Background work on a timer, the way every Sluice module runs it: {@link dev.sluice.pool.loop.TimedLoop} (a pass
 * every period, never two at once, a failed pass logged and the next one run as usual, on an injectable scheduler
 * and clock) and {@link dev.sluice.pool.loop.LoopLifecycle} (such a loop as a {@link dev.sluice.pool.Lifecycle}).
 * Applications may use them for their own periodic work beside Sluice's.
 */
package dev.sluice.pool.loop;

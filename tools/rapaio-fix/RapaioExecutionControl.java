/*
 * This file is a corrected copy of a class of rapaio-jupyter-kernel 3.0.1
 * (https://github.com/padreati/rapaio-jupyter-kernel), which carries this notice:
 *
 * The MIT License (MIT)
 *
 * Copyright 2023 Aurelian Tutuianu
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 * SOFTWARE.
 */
package org.rapaio.jupyter.kernel.core.java;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.SPIResolutionException;

/**
 * Changed by tcplab (tools/rapaio-fix, put first on the kernel's class path by tools/lab.sh):
 * <ul>
 * <li>{@link #stop()} only cancels the running task. The original shut the executor down for good
 *     ({@code JavaEngine.interrupt()} calls {@code stop()}, and {@code JShell.stop()} calls it again), so
 *     after the first interrupt every cell's invoke failed with {@code RejectedExecutionException},
 *     which JShell swallows: {@code 1 + 1} answered "ok" with no value and nothing ran any more.</li>
 * <li>the executor is shut down in {@link #close()}, when the kernel exits.</li>
 * <li>a cell that ignores interruption ({@code while (true) {}}) used to keep its thread running (a core at
 *     100 % until the kernel was restarted) after its cell had been reported interrupted. Here a thread
 *     still running the cancelled task 1 s after the interrupt is stopped with {@code Thread.stop()}
 *     (possible up to JDK 19; on later JDKs the attempt is logged and the thread keeps running).</li>
 * <li>an interrupt that arrives while the cell is being compiled (nothing runs yet: JShell compiles each
 *     snippet before it invokes it, seconds on a loaded machine) used to be lost, and the cell then ran
 *     to its end (for ever, for a loop). Here it is kept until the cell's next invoke, which then reports
 *     the interruption instead of running; {@link #cellStarted} and {@link #cellEnded()} (called by
 *     tcplab's Channels around each execute_request) bound it to the cell. An interrupt that arrives
 *     before the shell thread has even picked the cell up is kept for it too (see {@link #cellStarted}).</li>
 * <li>the engine threads are daemon threads, so such a thread cannot keep the JVM alive after the
 *     kernel was shut down.</li>
 * </ul>
 */
public class RapaioExecutionControl extends DirectExecutionControl {

    public static final String TIMEOUT_MARKER = "## Timeout Marker ##";
    public static final String INTERRUPTED_MARKER = "## Interrupted Marker ##";
    private static final AtomicInteger ID = new AtomicInteger(0);
    // the kernel log (System.err belongs to the running cell's output)
    private static final Logger LOGGER = Logger.getLogger(RapaioExecutionControl.class.getSimpleName());
    private static final Object LOCK = new Object();
    private static boolean inCell;           // guarded by LOCK
    private static boolean pendingInterrupt; // guarded by LOCK

    private static Instant idleInterruptSent;  // guarded by LOCK
    private static long idleInterruptNanos;    // guarded by LOCK

    /**
     * An execute_request starts (the shell thread). An interrupt that came while no cell was in progress,
     * within the last 2 s, and was sent after this cell had been sent (both dates from the request headers),
     * was meant for this cell: the shell thread had not picked it up yet.
     */
    public static void cellStarted(String cellSent) {
        Instant sent = parse(cellSent);
        synchronized (LOCK) {
            inCell = true;
            pendingInterrupt = idleInterruptSent != null && sent != null && !sent.isAfter(idleInterruptSent)
                    && System.nanoTime() - idleInterruptNanos < 2_000_000_000L;
            idleInterruptSent = null;
        }
    }

    /** An interrupt_request arrives (the control thread), before interrupt() is called. */
    public static void interruptReceived(String interruptSent) {
        Instant sent = parse(interruptSent);
        synchronized (LOCK) {
            if (!inCell && sent != null) {
                idleInterruptSent = sent;
                idleInterruptNanos = System.nanoTime();
            }
        }
    }

    private static Instant parse(String date) {
        if (date == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(date).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The execute_request has been answered. */
    public static void cellEnded() {
        synchronized (LOCK) {
            inCell = false;
            pendingInterrupt = false;
        }
    }

    private final ExecutorService executor;
    private final long timeoutTime;
    private final ConcurrentMap<String, Future<Object>> running = new ConcurrentHashMap<>();
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Thread> workers = new ConcurrentHashMap<>();
    // one stop per task (JavaEngine.interrupt() reaches interrupt() three times: directly, via stop(), via JShell.stop())
    private final Set<String> stopScheduled = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService stopper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "Engine-stopper");
        t.setDaemon(true);
        return t;
    });

    public RapaioExecutionControl(long timeoutTime) {
        this.timeoutTime = timeoutTime;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "Engine-thread-" + ID.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    public long getTimeout() {
        return timeoutTime;
    }

    public Object takeResult(String key) {
        Object result = results.remove(key);
        if (result == null) {
            throw new IllegalStateException("No result with key: " + key);
        }
        return result;
    }

    @Override
    protected String invoke(Method methodCall) throws Exception {
        String id = UUID.randomUUID().toString();
        Object value = execute(id, methodCall);
        results.put(id, value);
        return id;
    }

    private Object execute(String id, Method methodCall) throws Exception {
        Future<Object> runningTask;
        synchronized (LOCK) {
            if (pendingInterrupt) {
                pendingInterrupt = false;
                throw new UserException("Execution interrupted.", INTERRUPTED_MARKER, new StackTraceElement[0]);
            }
            runningTask = submit(id, methodCall);
            running.put(id, runningTask);
        }
        return await(id, runningTask);
    }

    private Future<Object> submit(String id, Method methodCall) {
        return executor.submit(() -> {
            Thread me = Thread.currentThread();
            workers.put(id, me);
            try {
                return methodCall.invoke(null);
            } finally {
                workers.remove(id, me);
            }
        });
    }

    private Object await(String id, Future<Object> runningTask) throws Exception {
        try {
            if (timeoutTime > 0) {
                return runningTask.get(timeoutTime, TimeUnit.MILLISECONDS);
            }
            return runningTask.get();
        } catch (CancellationException e) {
            if (executor.isShutdown()) {
                throw new StoppedException();
            } else {
                throw new UserException("Execution interrupted.", INTERRUPTED_MARKER, e.getStackTrace());
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvocationTargetException) {
                cause = cause.getCause();
            }
            if (cause == null) {
                throw new UserException("null", "Unknown Invocation Exception", e.getStackTrace());
            } else if (cause instanceof SPIResolutionException spiResCause) {
                throw new ResolutionException(spiResCause.id(), cause.getStackTrace());
            } else {
                throw new UserException(cause.getMessage(), cause.getClass().getName(), cause.getStackTrace());
            }
        } catch (TimeoutException e) {
            throw new UserException("Execution timed out", TIMEOUT_MARKER, e.getStackTrace());
        } finally {
            running.remove(id, runningTask);
        }
    }

    public void interrupt() {
        synchronized (LOCK) {
            if (running.isEmpty() && inCell) {
                pendingInterrupt = true; // the cell is being compiled: its next invoke is interrupted
            }
        }
        running.forEach((id, future) -> {
            future.cancel(true);
            Thread worker = workers.get(id);
            if (worker != null && stopScheduled.add(id)) {
                stopper.schedule(() -> stopIfStillRunning(id, worker), 1, TimeUnit.SECONDS);
            }
        });
    }

    @SuppressWarnings({"deprecation", "removal"})
    private void stopIfStillRunning(String id, Thread worker) {
        stopScheduled.remove(id);
        if (workers.get(id) != worker) {
            return; // the cancelled task has ended
        }
        try {
            worker.stop();
            LOGGER.warning("[tcplab rapaio fix] a cell ignored the interrupt; its thread " + worker.getName() + " was stopped");
        } catch (UnsupportedOperationException | SecurityException e) {
            LOGGER.warning("[tcplab rapaio fix] a cell ignored the interrupt and its thread " + worker.getName()
                    + " cannot be stopped on this JDK (" + e + "): it keeps running until the kernel restarts");
        }
    }

    /** Cancels the running task; the engine stays usable for the next cell. */
    @Override
    public void stop() {
        interrupt();
    }

    /** The kernel exits: the executor is shut down (running tasks are interrupted after 500 ms). */
    @Override
    public void close() {
        stopper.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(500, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
        }
        super.close();
    }
}

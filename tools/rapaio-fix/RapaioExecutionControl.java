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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <li>the engine threads are daemon threads, so a cell that ignores interruption
 *     ({@code while (true) {}}) cannot keep the JVM alive after the kernel was shut down.</li>
 * </ul>
 */
public class RapaioExecutionControl extends DirectExecutionControl {

    public static final String TIMEOUT_MARKER = "## Timeout Marker ##";
    public static final String INTERRUPTED_MARKER = "## Interrupted Marker ##";
    private static final AtomicInteger ID = new AtomicInteger(0);

    private final ExecutorService executor;
    private final long timeoutTime;
    private final ConcurrentMap<String, Future<Object>> running = new ConcurrentHashMap<>();
    private final Map<String, Object> results = new ConcurrentHashMap<>();

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
        Future<Object> runningTask = executor.submit(() -> methodCall.invoke(null));
        running.put(id, runningTask);

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
        running.forEach((id, future) -> future.cancel(true));
    }

    /** Cancels the running task; the engine stays usable for the next cell. */
    @Override
    public void stop() {
        interrupt();
    }

    /** The kernel exits: the executor is shut down (running tasks are interrupted after 500 ms). */
    @Override
    public void close() {
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

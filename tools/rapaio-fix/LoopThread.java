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
package org.rapaio.jupyter.kernel.channels;

/**
 * Thread which runs in loop the loop body after each waiting period.
 *
 * <p>Changed by tcplab (tools/rapaio-fix, put first on the kernel's class path by tools/lab.sh):
 * <ol>
 * <li>the original {@code start()} sets {@code running = true} only after {@code Thread.start()}, so a
 *     channel thread could read {@code false} and end at once (a dead shell thread: the kernel never
 *     answers; a dead control thread: interrupts are ignored). Here {@code running} is set first;</li>
 * <li>a loop iteration that throws used to end the channel thread for good; here it is reported in
 *     the kernel log and the loop goes on.</li>
 * </ol>
 */
public final class LoopThread extends Thread {

    // the kernel log (System.err may belong to a running cell's output)
    private static final java.util.logging.Logger LOGGER = java.util.logging.Logger.getLogger(LoopThread.class.getSimpleName());

    private volatile boolean running = false;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                LOGGER.severe("[tcplab rapaio fix] " + getName() + ": " + e + " (loop goes on)");
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}

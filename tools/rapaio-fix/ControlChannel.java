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

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.message.HMACDigest;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.org.zeromq.SocketType;
import org.rapaio.org.zeromq.ZMQ;

/**
 * Changed by tcplab (tools/rapaio-fix, put first on the kernel's class path by tools/lab.sh): the
 * control thread no longer sets the shared {@code msgId} nor runs the shared after-actions (both
 * belong to the cell the shell thread is running; touching them lost that cell's
 * {@code execute_reply}, so an interrupted cell stayed busy for ever). The control handlers (see
 * {@link Channels}) reply on this socket themselves. Its thread is named {@code Control-n}, not
 * {@code Shell-n}.
 */
public final class ControlChannel extends AbstractChannel {

    private static final Logger LOGGER = Logger.getLogger(ControlChannel.class.getSimpleName());
    private static final long LOOP_SLEEP = 50;
    private static final AtomicInteger ID = new AtomicInteger();

    private final Channels channels;
    private volatile LoopThread loopThread;

    public ControlChannel(Channels channels, ZMQ.Context context, HMACDigest hmacGenerator) {
        super(channels, "ControlChannel", context, SocketType.ROUTER, hmacGenerator);
        this.channels = channels;
    }

    @Override
    @SuppressWarnings( {"rawtypes", "unchecked"})
    public void bind(ConnectionProperties connProps) {
        if (loopThread != null) {
            throw new IllegalStateException("Channel already bound.");
        }

        String channelThreadName = "Control-" + ID.getAndIncrement();
        String addr = connProps.formatAddress(connProps.controlPort());

        LOGGER.info(logPrefix + "Binding to " + addr);
        socket.bind(addr);

        ZMQ.Poller poller = ctx.poller(1);
        poller.register(socket, ZMQ.Poller.POLLIN);

        this.loopThread = new LoopThread(channelThreadName, LOOP_SLEEP, () -> {
            if (poller.poll(0) > 0) {
                Message<?> message = readMessage();
                if (message == null) {
                    return;
                }
                var type = message.header().type();
                MessageHandler handler = channels.getHandler(type);
                if (handler != null) {
                    LOGGER.info(logPrefix + "Handling message: " + type.name());
                    try {
                        handler.handle(message);
                    } catch (Exception e) {
                        LOGGER.severe(logPrefix + "Exception handling " + type.name() + ". " +
                                e.getClass().getSimpleName() + ": " + e.getLocalizedMessage());
                    }
                    if (channels.isMarkedForShutdown()) {
                        LOGGER.info(channelThreadName + " shutting down connection marked for shutdown.");
                        channels.close();
                    }
                } else {
                    LOGGER.severe(logPrefix + "Unhandled message: " + type.name());
                }
            }
        });
        loopThread.start();
    }

    @Override
    public void close() {
        if (loopThread != null) {
            loopThread.shutdown();
        }
        super.close();
    }

    @Override
    public void joinUntilClose() {
        if (this.loopThread != null) {
            try {
                this.loopThread.join();
            } catch (InterruptedException ignored) {
            }
        }
    }
}

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

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

import org.rapaio.jupyter.kernel.GeneralProperties;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.LanguageInfo;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.core.java.RapaioExecutionControl;
import org.rapaio.jupyter.kernel.message.ContentType;
import org.rapaio.jupyter.kernel.message.HMACDigest;
import org.rapaio.jupyter.kernel.message.Header;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.jupyter.kernel.message.MessageId;
import org.rapaio.jupyter.kernel.message.MessageType;
import org.rapaio.jupyter.kernel.message.messages.ControlInterruptReply;
import org.rapaio.jupyter.kernel.message.messages.ControlInterruptRequest;
import org.rapaio.jupyter.kernel.message.messages.ControlShutdownReply;
import org.rapaio.jupyter.kernel.message.messages.ControlShutdownRequest;
import org.rapaio.jupyter.kernel.message.messages.ErrorReply;
import org.rapaio.jupyter.kernel.message.messages.IOPubStatus;
import org.rapaio.jupyter.kernel.message.messages.IOPubStream;
import org.rapaio.jupyter.kernel.message.messages.ShellExecuteRequest;
import org.rapaio.jupyter.kernel.message.messages.ShellKernelInfoReply;
import org.rapaio.jupyter.kernel.message.messages.ShellKernelInfoRequest;
import org.rapaio.org.zeromq.ZMQ;

/**
 * Changed by tcplab (tools/rapaio-fix, put first on the kernel's class path by tools/lab.sh):
 * <ol>
 * <li>{@link #connect}: the original bound every channel (each {@code bind()} starts that channel's
 *     reading thread) and only then registered the channels with the kernel and filled a plain
 *     {@code HashMap} of handlers. A request that arrived as soon as the shell socket was bound (the
 *     Notebook server's first {@code kernel_info_request}) was read before its handler existed and was
 *     lost ({@code "this.handlers" is null} or {@code Unhandled message: kernel_info_request}); the
 *     server then waited its full 60 s. Here the complete, immutable handler map is built before any
 *     {@code bind()}, the shell socket is bound last, and a handler that needs the kernel waits until
 *     the kernel has its channels registered ({@link #attach}).</li>
 * <li>{@code interrupt_request} and {@code shutdown_request} are handled here, on the control thread,
 *     without touching the state the shell thread uses for the running cell ({@code msgId} and the
 *     after-actions stack), and they are answered on the control socket. The original handler
 *     overwrote the running cell's {@code msgId}, ran that cell's after-actions on the control thread
 *     and sent the reply on the shell socket, where it was dropped; the interrupted cell's
 *     {@code execute_reply} then went out without a parent and the cell stayed busy for ever.</li>
 * <li>the channels can be bound before the kernel (its JShell) exists ({@link #bind()}, then
 *     {@link #attach}; used by {@code QuickStartMain}): {@code kernel_info_request} is answered at once
 *     (its reply needs no JShell); any other shell request waits on the shell thread, in order, until
 *     the kernel is attached. The original started the channels only after JShell had been built and
 *     initialised, 1 to 5 s after the JVM started on a loaded machine.</li>
 * <li>each execute_request is bracketed by {@code RapaioExecutionControl.cellStarted()/cellEnded()}, so
 *     an interrupt that arrives while the cell compiles stops it at its first invoke.</li>
 * <li>{@code msgId} is volatile: the engine threads read it when a cell writes to System.out.</li>
 * </ol>
 */
@SuppressWarnings( {"unchecked", "rawtypes"})
public final class Channels {

    private static final Logger LOGGER = Logger.getLogger(Channels.class.getSimpleName());

    private final ConnectionProperties connProps;

    private final ZMQ.Context ctx;

    private final HeartbeatChannel heartbeat;
    private final ShellChannel shell;
    private final ControlChannel control;
    private final StdinChannel stdin;
    private final IOPubChannel iopub;

    private final Set<AbstractChannel> channels;
    private final Stack<Runnable> afterActions = new Stack<>();

    private volatile Map<MessageType<?>, MessageHandler> handlers = Map.of();
    private final CompletableFuture<RapaioKernel> kernel = new CompletableFuture<>();
    private volatile MessageId<?> msgId;

    private volatile boolean isConnected = false;
    private volatile boolean requestShutdown = false;

    public Channels(ConnectionProperties connProps) throws NoSuchAlgorithmException, InvalidKeyException {
        this.connProps = connProps;
        ctx = ZMQ.context(1);

        HMACDigest hmacDigest = connProps.createHMACDigest();

        heartbeat = new HeartbeatChannel(this, ctx, hmacDigest);
        shell = new ShellChannel(this, ctx, hmacDigest, this);
        control = new ControlChannel(this, ctx, hmacDigest);
        stdin = new StdinChannel(this, ctx, hmacDigest);
        iopub = new IOPubChannel(this, ctx, hmacDigest);

        channels = Set.of(heartbeat, shell, control, stdin, iopub);
    }

    /** rapaio's entry point: bind, then attach the kernel at once. */
    public void connect(RapaioKernel kernel) {
        bind();
        attach(kernel);
    }

    /**
     * Builds the complete handler map, then binds every channel (each bind() starts that channel's reading
     * thread), the shell socket last. From here on kernel_info is answered; other requests wait for attach().
     */
    public synchronized void bind() {
        if (isConnected) {
            return;
        }
        handlers = Map.ofEntries(
                Map.entry(MessageType.SHELL_EXECUTE_REQUEST, (MessageHandler) this::handleExecuteRequest),
                Map.entry(MessageType.SHELL_INSPECT_REQUEST, (MessageHandler) m -> kernel().handleInspectRequest(m)),
                Map.entry(MessageType.SHELL_COMPLETE_REQUEST, (MessageHandler) m -> kernel().handleCompleteRequest(m)),
                Map.entry(MessageType.SHELL_HISTORY_REQUEST, (MessageHandler) m -> kernel().handleHistoryRequest(m)),
                Map.entry(MessageType.SHELL_IS_COMPLETE_REQUEST, (MessageHandler) m -> kernel().handleIsCompleteRequest(m)),
                Map.entry(MessageType.SHELL_KERNEL_INFO_REQUEST, (MessageHandler) this::handleKernelInfoRequest),
                Map.entry(MessageType.CONTROL_SHUTDOWN_REQUEST, (MessageHandler) this::handleShutdownRequest),
                Map.entry(MessageType.CONTROL_INTERRUPT_REQUEST, (MessageHandler) this::handleInterruptRequest),
                Map.entry(MessageType.CUSTOM_COMM_OPEN, (MessageHandler) m -> kernel().handleCommOpenCommand(m)),
                Map.entry(MessageType.CUSTOM_COMM_MSG, (MessageHandler) m -> kernel().handleCommMsgCommand(m)),
                Map.entry(MessageType.CUSTOM_COMM_CLOSE, (MessageHandler) m -> kernel().handleCommCloseCommand(m)),
                Map.entry(MessageType.SHELL_COMM_INFO_REQUEST, (MessageHandler) m -> kernel().handleCommInfoRequest(m)));

        // iopub first (the shell thread publishes on it), the shell socket last
        iopub.bind(connProps);
        iopub.sendMessage(new Message<>(MessageType.IOPUB_STATUS, IOPubStatus.STARTING));
        heartbeat.bind(connProps);
        stdin.bind(connProps);
        control.bind(connProps);
        shell.bind(connProps);
        isConnected = true;
    }

    /** The kernel is built: requests waiting for it go on. */
    public void attach(RapaioKernel kernel) {
        kernel.registerChannels(this);
        this.kernel.complete(kernel);
    }

    /** The kernel could not be built: requests waiting for it fail (and are logged). */
    public void attachFailed(Throwable cause) {
        this.kernel.completeExceptionally(cause);
    }

    private RapaioKernel kernel() {
        return kernel.join();
    }

    /** An interrupt that arrives before the cell's code runs (while it compiles) is kept for this cell. */
    private void handleExecuteRequest(Message<ShellExecuteRequest> message) {
        RapaioExecutionControl.cellStarted(message.header().timestamp());
        try {
            kernel().handleExecuteRequest(message);
        } finally {
            RapaioExecutionControl.cellEnded();
        }
    }

    /** Needs no JShell: the same reply as RapaioKernel's (private) kernelInfo(). */
    private void handleKernelInfoRequest(Message<ShellKernelInfoRequest> ignored) {
        busyThenIdle();
        GeneralProperties properties = new GeneralProperties("default");
        LanguageInfo languageInfo = LanguageInfo.kernelLanguageInfo();
        reply(new ShellKernelInfoReply(Header.PROTOCOL_VERSION, properties.getKernelName(),
                properties.getKernelVersion(), languageInfo, languageInfo.name() + " " + languageInfo.version(),
                List.of(new LanguageInfo.Help("rapaio-jupyter-kernel homepage",
                        "https://github.com/padreati/rapaio-jupyter-kernel"))));
    }

    public <T> MessageHandler<T> getHandler(MessageType<T> type) {
        return handlers.get(type);
    }

    /** Runs on the control thread: answers on the control socket, leaves the running cell's state alone. */
    private void handleInterruptRequest(Message<ControlInterruptRequest> message) {
        MessageId<?> id = message.getId();
        iopub.sendMessage(new Message<>(id, MessageType.IOPUB_STATUS, IOPubStatus.BUSY));
        RapaioExecutionControl.interruptReceived(message.header().timestamp());
        try {
            RapaioKernel k = kernel.getNow(null);
            if (k != null) {  // else no cell has started yet
                k.interrupt();
            }
        } catch (RuntimeException e) {
            LOGGER.severe("interrupt failed: " + e);
        }
        control.sendMessage(new Message<>(id, MessageType.CONTROL_INTERRUPT_REPLY, new ControlInterruptReply()));
        iopub.sendMessage(new Message<>(id, MessageType.IOPUB_STATUS, IOPubStatus.IDLE));
    }

    /** Runs on the control thread: replies on the control socket, then the kernel closes. */
    private void handleShutdownRequest(Message<ControlShutdownRequest> message) {
        MessageId<?> id = message.getId();
        boolean restart = message.content().restart();
        iopub.sendMessage(new Message<>(id, MessageType.IOPUB_STATUS, IOPubStatus.BUSY));
        control.sendMessage(new Message<>(id, MessageType.CONTROL_SHUTDOWN_REPLY,
                restart ? ControlShutdownReply.SHUTDOWN_AND_RESTART : ControlShutdownReply.SHUTDOWN));
        try {
            RapaioKernel k = kernel.getNow(null);
            if (k != null) {
                k.onShutdown();
            }
        } catch (RuntimeException e) {
            LOGGER.severe("shutdown failed: " + e);
        }
        iopub.sendMessage(new Message<>(id, MessageType.IOPUB_STATUS, IOPubStatus.IDLE));
        markForShutdown();
    }

    public void close() {
        channels.forEach(AbstractChannel::close);
        ctx.close();
    }

    public void joinUntilClose() {
        channels.forEach(AbstractChannel::joinUntilClose);
    }

    public boolean hasMsgId() {
        return msgId != null;
    }

    public void setMsgId(MessageId<?> msgId) {
        this.msgId = msgId;
    }

    public void freeMsgId() {
        this.msgId = null;
    }

    public void markForShutdown() {
        requestShutdown = true;
    }

    public boolean isMarkedForShutdown() {
        return requestShutdown;
    }

    public void writeToStdOut(String msg) {
        publish(new IOPubStream(IOPubStream.StreamName.OUT, msg));
    }

    public void writeToStdErr(String msg) {
        publish(new IOPubStream(IOPubStream.StreamName.ERR, msg));
    }

    public String readFromStdIn() {
        return stdin.getInput(msgId, "", false);
    }

    public <T extends ContentType<T>> void publish(T content) {
        iopub.sendMessage(new Message<>(msgId, content.type(), content));
    }

    public <T extends ContentType<T>> void reply(T content) {
        shell.sendMessage(new Message<>(msgId, content.type(), content));
    }

    public void replyError(MessageType<?> type, ErrorReply error) {
        shell.sendMessage(new Message(msgId, type, error));
    }

    public void scheduleAfter(Runnable action) {
        afterActions.push(action);
    }

    public void runAfterActions() {
        while (!afterActions.isEmpty()) {
            afterActions.pop().run();
        }
    }

    public void busyThenIdle() {
        publish(IOPubStatus.BUSY);
        scheduleAfter(() -> publish(IOPubStatus.IDLE));
    }
}

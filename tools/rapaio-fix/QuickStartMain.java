/*
 * This file is tcplab's variant of MainApp.runKernel of rapaio-jupyter-kernel 3.0.1
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
package org.rapaio.jupyter.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * tcplab's entry point for rapaio 3.0.1 (named in the kernel.json that tools/lab.sh writes; rapaio's
 * MainApp is unchanged). rapaio's MainApp builds the kernel, with its JShell, in MainApp's static
 * initialiser, before it opens any socket: on a loaded 2-core machine that took 1 to 5 s, and the
 * Notebook server's first kernel_info_request waited for it. Here the channels are bound first (the
 * kernel_info reply needs no JShell), then {@code MainApp.kernel} is built (the same object rapaio's
 * display functions use) and attached; requests that need it wait on the shell thread, in order.
 */
public final class QuickStartMain {

    private static final Logger LOGGER = Logger.getLogger(QuickStartMain.class.getSimpleName());

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--train")) {
            train();
            return;
        }
        if (args.length < 1 || args[0].equals("-i")) {
            MainApp.main(args);
            return;
        }
        LogManager.getLogManager().readConfiguration(
                QuickStartMain.class.getClassLoader().getResourceAsStream("logging.properties"));
        Path connectionFile = Paths.get(args[0]);
        if (!Files.isRegularFile(connectionFile)) {
            throw new IllegalArgumentException("Connection file '" + connectionFile + "' isn't a file.");
        }
        String contents = Files.readString(connectionFile);
        ConnectionProperties connProps = Transform.fromJson(contents, ConnectionProperties.class);
        LOGGER.info("Kernel connection file content: " + contents);

        Channels channels = new Channels(connProps);
        try {
            channels.bind();
        } catch (RuntimeException e) {
            // Jupyter chose the connection file's ports by binding and releasing them; another process may take
            // one before this bind (jupyter_client's port race, seen with a class of kernels on one machine).
            // Left running, the kernel would never answer; ended at once, Jupyter's restarter starts it again
            // on new random ports (it does so for a kernel that dies in its first seconds).
            LOGGER.severe("the ports of the connection file could not be bound (" + e + "): ending, to be restarted on new ports");
            System.exit(1);
        }
        RapaioKernel kernel;
        try {
            kernel = MainApp.kernel; // MainApp's static initialiser builds the kernel and its JShell here
        } catch (Throwable e) {
            LOGGER.severe("the kernel could not be built: " + e);
            channels.attachFailed(e);
            channels.close();
            System.exit(1);
            return;
        }
        LOGGER.info("kernel ready");
        channels.attach(kernel);
        channels.joinUntilClose();
    }

    /**
     * tools/lab.sh runs this once with -XX:ArchiveClassesAtExit to write a class-data sharing archive of
     * every class a kernel start loads (the sockets on free loopback ports, JShell, one cell): with it the
     * JVM needs about a third less CPU until the sockets are bound, which counts on a loaded machine.
     */
    private static void train() throws Exception {
        int[] ports = new int[5];
        for (int i = 0; i < ports.length; i++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                ports[i] = s.getLocalPort();
            }
        }
        ConnectionProperties connProps = new ConnectionProperties(ports[0], ports[1], "tcp", "hmac-sha256",
                ports[2], ports[3], "127.0.0.1", ports[4], java.util.UUID.randomUUID().toString());
        Channels channels = new Channels(connProps);
        try {
            channels.bind();
        } catch (RuntimeException e) {
            // Jupyter chose the connection file's ports by binding and releasing them; another process may take
            // one before this bind (jupyter_client's port race, seen with a class of kernels on one machine).
            // Left running, the kernel would never answer; ended at once, Jupyter's restarter starts it again
            // on new random ports (it does so for a kernel that dies in its first seconds).
            LOGGER.severe("the ports of the connection file could not be bound (" + e + "): ending, to be restarted on new ports");
            System.exit(1);
        }
        RapaioKernel kernel = MainApp.kernel;
        channels.attach(kernel);
        kernel.eval("int tcplabTraining = 1 + 1;");
        channels.close();
        System.exit(0);
    }
}

/**
 * Drawing results: {@link tcplab.draw.Html} turns tables into HTML, {@link tcplab.draw.Ladder}
 * draws the ladder diagram (packets between the two lifelines, calls and states on them; {@link
 * tcplab.draw.LadderLayout} places them, {@link tcplab.draw.LadderSvg} and {@link
 * tcplab.draw.LadderText} draw them), and both colour a row by the one rule {@link
 * tcplab.draw.Failure#is}. {@link tcplab.draw.Display} puts HTML, SVG or text into whichever Java
 * kernel runs the notebook. Uses nothing from the notebook API package.
 */
package tcplab.draw;

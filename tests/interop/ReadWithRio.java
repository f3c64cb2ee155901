// Reads RDF files with Eclipse RDF4J's Rio, the parser GraphDB imports with, and writes
// each one's statements as N-Quads to FILE.rio.nq, for tests/test_interop.py to compare.
// Strict: a literal not valid for its datatype, or a malformed language tag, is an error.
// Run as a single source file: java -cp CLASSPATH ReadWithRio.java FILE...
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

import org.eclipse.rdf4j.rio.RDFFormat;
import org.eclipse.rdf4j.rio.RDFParser;
import org.eclipse.rdf4j.rio.Rio;
import org.eclipse.rdf4j.rio.helpers.BasicParserSettings;

public class ReadWithRio {
    public static void main(String[] files) throws Exception {
        for (String file : files) {
            RDFFormat format = Rio.getParserFormatForFileName(file)
                    .orElseThrow(() -> new IllegalArgumentException(file + ": unknown format"));
            RDFParser parser = Rio.createParser(format);
            parser.getParserConfig()
                    .set(BasicParserSettings.VERIFY_DATATYPE_VALUES, true)
                    .set(BasicParserSettings.FAIL_ON_UNKNOWN_DATATYPES, false)
                    .set(BasicParserSettings.VERIFY_LANGUAGE_TAGS, true)
                    .set(BasicParserSettings.FAIL_ON_UNKNOWN_LANGUAGES, true);
            try (InputStream in = new FileInputStream(file);
                 OutputStream out = new FileOutputStream(file + ".rio.nq")) {
                parser.setRDFHandler(Rio.createWriter(RDFFormat.NQUADS, out));
                parser.parse(in, "");
            }
        }
    }
}

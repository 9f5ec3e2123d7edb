package dev.habla.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snippet convention: blocks found, contexts read, mistakes in a context named; compile errors point home. */
class SnippetParsingTest {

    static final Path FILE = Path.of("/repo/mod/README.md");

    @Test
    void aWholeTestClassIsRecognisedAndCompiledAsATopLevelClass() {
        Snippet test = Snippet.parse(FILE, List.of("```java", "// a comment", "@Timeout(30)",
                "class GreetingTest {", "    @Test void t() {}", "}", "```")).getFirst();
        assertThat(test.testClassName()).isEqualTo("GreetingTest");
        SnippetCompiler.Source src = SnippetCompiler.source(test);
        assertThat(src.className()).isEqualTo("GreetingTest");
        assertThat(src.text()).contains("import org.junit.jupiter.api.*;").doesNotContain("public static void run(");
        Snippet local = Snippet.parse(FILE, List.of("```java", "class Local {}", "new Local();", "```")).getFirst();
        assertThat(local.testClassName()).as("a class without @Test is part of a method body").isNull();
        Snippet statements = Snippet.parse(FILE, List.of("```java", "int a = 1; // class A @Test", "```")).getFirst();
        assertThat(statements.testClassName()).isNull();
    }

    @Test
    void blocksWithAndWithoutContext() {
        List<String> md = List.of(
                "# Title",                                                  // 1
                "```java",                                                  // 2
                "int a = 1;",                                               // 3
                "```",                                                      // 4
                "<!-- snippet-context: compile (needs a key)",              // 5
                "imports: java.util.concurrent.TimeUnit,",                  // 6
                "    static java.lang.Math.max",                            // 7
                "members:",                                                 // 8
                "    static int two() { return 2; }",                       // 9
                "given: int b = two();",                                    // 10
                "after:",                                                   // 11
                "    System.out.println(b);",                               // 12
                "-->",                                                      // 13
                "",                                                         // 14
                "```java",                                                  // 15
                "int c = max(b, 3);",                                       // 16
                "```",                                                      // 17
                "<!-- an ordinary comment -->",                             // 18
                "```java",                                                  // 19
                "int d = 4;",                                               // 20
                "```");
        List<Snippet> found = Snippet.parse(FILE, md);
        assertThat(found).hasSize(3);

        Snippet plain = found.get(0);
        assertThat(plain.line()).isEqualTo(3);
        assertThat(plain.code()).isEqualTo("int a = 1;");
        assertThat(plain.run()).isTrue();
        assertThat(plain.imports()).isEmpty();

        Snippet ctx = found.get(1);
        assertThat(ctx.line()).isEqualTo(16);
        assertThat(ctx.run()).isFalse();
        assertThat(ctx.reason()).isEqualTo("needs a key");
        assertThat(ctx.imports()).containsExactly("java.util.concurrent.TimeUnit", "static java.lang.Math.max");
        assertThat(ctx.members()).contains("static int two() { return 2; }");
        assertThat(ctx.given()).isEqualTo("int b = two();\n");
        assertThat(ctx.after()).contains("System.out.println(b);");

        assertThat(found.get(2).run()).isTrue();   // an ordinary comment is no context
        assertThat(found.get(2).given()).isEmpty();
    }

    @Test
    void aCompileOnlySnippetMustSayWhyAndAMalformedContextIsNamed() {
        assertThatThrownBy(() -> Snippet.parse(FILE, List.of("<!-- snippet-context: compile", "-->", "```java", "x();", "```")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must say why");
        assertThatThrownBy(() -> Snippet.parse(FILE, List.of("<!-- snippet-context: maybe", "-->", "```java", "x();", "```")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snippet-context: run");
        assertThatThrownBy(() -> Snippet.parse(FILE, List.of("```java", "x();")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never closed");
    }

    @Test
    void compileErrorsPointIntoTheMarkdownFile(@TempDir Path out) {
        List<Snippet> found = Snippet.parse(FILE, List.of("text", "```java", "int a = 1;", "String s = a;", "```"));
        List<String> errors = SnippetCompiler.compile(found.getFirst(), Path.of("/repo"), out);
        assertThat(errors).singleElement().asString().startsWith("README.md:4: incompatible types");
    }

    @Test
    void aSnippetThatCompilesLeavesItsClass(@TempDir Path out) throws Exception {
        Snippet s = Snippet.parse(FILE, List.of("```java", "List<Tool> none = List.of();", "```")).getFirst();
        assertThat(SnippetCompiler.compile(s, Path.of("/repo"), out)).isEmpty();
        assertThat(Files.exists(out.resolve("snippets/Snippet_L2.class"))).isTrue();
    }

    @Test
    void everyLibraryPackageIsImportedAndNoInternalOne() {
        assertThat(SnippetCompiler.DEFAULT_IMPORTS).contains("dev.habla.protocol.*", "dev.habla.emulator.*",
                "dev.habla.client.*", "dev.habla.tools.*", "dev.habla.audio.*", "dev.habla.voice.*",
                "dev.habla.assistant.*", "java.time.*").noneMatch(i -> i.contains("internal") || i.contains("examples"));
    }
}

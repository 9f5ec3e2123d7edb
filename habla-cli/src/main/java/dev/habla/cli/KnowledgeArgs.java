package dev.habla.cli;

import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.live.Knowledge;
import dev.habla.knowledge.live.KnowledgeEvent;
import dev.habla.knowledge.live.Source;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --knowledge INDEX}, {@code --domain}, {@code --decline}, {@code --warn-outside} of {@code habla chat} and
 * {@code habla talk} (a picocli mixin): answers from an index built by {@code habla knowledge index}, restricted to a
 * domain, with the sources listed after each answer (habla-knowledge-live).
 */
final class KnowledgeArgs implements AutoCloseable {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--knowledge", paramLabel = "INDEX",
            description = "Answer from the documents of this index (built by `habla knowledge index`); sources are listed after each answer.")
    Path index;

    @Option(names = "--domain", paramLabel = "TEXT",
            description = "With --knowledge: what the assistant answers about, e.g. \"the Acme X1 router\". Questions outside it are declined.")
    String domain;

    @Option(names = "--decline", paramLabel = "SENTENCE",
            description = "With --knowledge: what to say to a question outside the domain (write it in your users' language).")
    String decline;

    @Option(names = "--warn-outside",
            description = "With --knowledge: answer questions outside the domain with a warning instead of declining them.")
    boolean warnOutside;

    private KnowledgeStore store;

    boolean enabled() {
        return index != null;
    }

    /** Checks the options before anything starts. */
    void validate(CliContext ctx) {
        if (index == null) {
            for (String o : List.of("--domain", "--decline", "--warn-outside")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new ParameterException(spec.commandLine(), o + " needs --knowledge INDEX");
                }
            }
            return;
        }
        // As `habla knowledge search`: exit 66 when there is no index (checked before anything starts).
        boolean isIndex;
        try {
            isIndex = LuceneKnowledgeStore.recordedModel(ctx.resolve(index)).isPresent();
        } catch (KnowledgeException e) {
            throw KnowledgeIndexArgs.failure(e);
        }
        if (!isIndex) {
            throw new CliException(ExitCodes.NO_INDEX, "no knowledge index at " + ctx.display(index)
                    + " (build one with: habla knowledge index DIR --index " + index + ")");
        }
        if (domain != null && domain.isBlank() || decline != null && decline.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--domain and --decline need a text");
        }
    }

    /**
     * Opens the index and the knowledge for a session; null without {@code --knowledge}. {@code spoken}: the answers
     * are speech, so a declined question is said by the model (the decline sentence in its voice).
     */
    Knowledge open(CliContext ctx, boolean spoken, Consumer<KnowledgeEvent> events) {
        if (index == null) {
            return null;
        }
        try {
            Path dir = ctx.resolve(index);
            store = LuceneKnowledgeStore.open(dir, Embedder.defaultModel(), KnowledgeIndexArgs.recordedSpanishModel(ctx, dir));
        } catch (KnowledgeException e) {
            throw KnowledgeIndexArgs.failure(e);   // another model, in use, unreadable: exit 66 like `habla knowledge`
        }
        DomainPolicy policy = DomainPolicy.of(domain != null ? domain.strip() : "the documents in " + index.getFileName());
        if (decline != null) {
            policy = policy.withDeclineSentence(decline.strip());
        }
        if (warnOutside) {
            policy = policy.withBelow(DomainPolicy.Below.WARN);
        }
        return Knowledge.create(store, policy, b -> {
            b.events(events);
            if (spoken) {
                b.declineByModel();
            }
        });
    }

    /** {@code sources: 1. docs/reset.md (Reset > Factory reset)  2. …}, paths as the user would write them. */
    static String sourcesLine(CliContext ctx, List<Source> sources) {
        List<String> parts = new ArrayList<>();
        int n = 1;
        for (Source s : sources) {
            String label = s.label();
            String shown = ctx.display(Path.of(s.source())) + label.substring(s.source().length());
            parts.add(n++ + ". " + shown);
        }
        return "sources: " + String.join("  ", parts);
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}

package dev.habla.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SmallPartsTest {

    private static Passage p(String id) {
        return new Passage(id, "/docs/a.md", List.of(), 0, "text " + id, "en");
    }

    @Test
    void fusionRanksWhatBothListsAgreeOnFirstAndKeepsBothScores() {
        List<Hit> bm25 = List.of(new Hit(p("a"), 9, 9, Double.NaN), new Hit(p("b"), 5, 5, Double.NaN));
        List<Hit> vec = List.of(new Hit(p("c"), 0.8, Double.NaN, 0.8), new Hit(p("b"), 0.7, Double.NaN, 0.7));
        List<Hit> fused = Fusion.rrf(bm25, vec, 10, Fusion.Weights.CLASSIC);
        // b: ranked by both; a and c tie at 1/61 and the vector list's order wins the tie.
        assertThat(fused).extracting(h -> h.passage().id()).containsExactly("b", "c", "a");
        assertThat(fused.get(0).score()).isEqualTo(1.0 / 62 + 1.0 / 62);
        // Default weights: vectors count double, the top ranks weigh more.
        List<Hit> weighted = Fusion.rrf(bm25, vec, 10);
        assertThat(weighted).extracting(h -> h.passage().id()).containsExactly("b", "c", "a");
        assertThat(weighted.get(0).score()).isEqualTo(1.0 / 7 + 0.5 / 7);
        assertThat(weighted.get(1).score()).isEqualTo(1.0 / 6);
        assertThat(fused.get(0).bm25()).isEqualTo(5);
        assertThat(fused.get(0).cosine()).isEqualTo(0.7);
        assertThat(fused.get(2).cosine()).isNaN();
        assertThat(Fusion.rrf(bm25, vec, 1)).hasSize(1);
    }

    @Test
    void domainPolicyDeclinesOrWarnsBelowTheThreshold() {
        DomainPolicy policy = DomainPolicy.of("our returns policy").withThreshold(0.5);
        SearchResult high = new SearchResult("q", SearchMode.HYBRID, List.of(), 0.62, 0.1, true);
        SearchResult low = new SearchResult("q", SearchMode.HYBRID, List.of(), 0.31, 0.9, true);
        SearchResult empty = new SearchResult("q", SearchMode.HYBRID, List.of(), Double.NaN, Double.NaN, true);
        assertThat(policy.judge(high))
                .isEqualTo(new Verdict(true, Verdict.Signal.COSINE, 0.62, 0.5, Verdict.Outcome.ANSWER, null));
        Verdict declined = policy.judge(low);
        assertThat(declined.outcome()).isEqualTo(Verdict.Outcome.DECLINE);
        assertThat(declined.sentence()).isEqualTo("Sorry, I can only answer questions about our returns policy.");
        assertThat(policy.withDeclineSentence("Solo hablo de devoluciones.").judge(low).sentence())
                .isEqualTo("Solo hablo de devoluciones.");
        assertThat(policy.withBelow(DomainPolicy.Below.WARN).judge(low))
                .isEqualTo(new Verdict(false, Verdict.Signal.COSINE, 0.31, 0.5, Verdict.Outcome.ANSWER_WITH_WARNING,
                        null));
        assertThat(policy.judge(empty).inDomain()).isFalse();
        // Vectors that do not cover the question's language: the term coverage is judged instead.
        SearchResult spanish = new SearchResult("q", SearchMode.HYBRID, List.of(), 0.2, 0.6, false);
        assertThat(policy.judge(spanish)).isEqualTo(new Verdict(true, Verdict.Signal.TERM_COVERAGE, 0.6,
                DomainPolicy.DEFAULT_COVERAGE_THRESHOLD, Verdict.Outcome.ANSWER, null));
        assertThat(policy.withCoverageThreshold(0.7).judge(spanish).outcome()).isEqualTo(Verdict.Outcome.DECLINE);
        assertThatThrownBy(() -> policy.withThreshold(1.5)).isInstanceOfSatisfying(KnowledgeException.class,
                e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.BAD_ARGUMENT));
    }

    @Test
    void languagesOfDocumentsAndQuestions() {
        assertThat(Languages.detect("The package manager installs the files that the system needs.")).isEqualTo("en");
        assertThat(Languages.detect("El gestor de paquetes instala los archivos que el sistema necesita.")).isEqualTo("es");
        assertThat(Languages.ofQuery("¿Cómo apago el ordenador?")).contains("es");
        assertThat(Languages.ofQuery("How do I turn the machine off?")).contains("en");
        assertThat(Languages.ofQuery("sudo")).isEmpty();
    }
}

package mcu.estest;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerScope;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;

/**
 * Test-node plugin for the Maven Central "integ-test-zip" Elasticsearch distribution,
 * which ships only the server plus the transport-netty4, x-pack-core, x-pack-security
 * and apm modules. It adds back what our test suite and the Python client rely on:
 *
 * <ul>
 *   <li>{@code GET /} and {@code HEAD /} (module rest-root in the full distribution):
 *       {@link RootInfoHandler}; used by {@code Elasticsearch.info()} and {@code ping()};</li>
 *   <li>analyzer {@code russian} (module analysis-common): Lucene's {@link RussianAnalyzer}
 *       (standard tokenizer, lowercase, Russian stop words, Snowball Russian stemmer),
 *       honouring {@code stopwords}, {@code stopwords_path} and {@code stem_exclusion};</li>
 *   <li>token filter {@code lowercase} (module analysis-common): plain
 *       {@link LowerCaseFilter}, no {@code language} option; also usable in normalizers.</li>
 * </ul>
 *
 * The server API used here is the same from 8.14 to 8.19; the plugin descriptor pins the
 * exact server version, so the plugin is rebuilt per version by the pom.
 */
public final class TestNodePlugin extends Plugin implements ActionPlugin, AnalysisPlugin {

    private final SetOnce<ClusterService> clusterService = new SetOnce<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootInfoHandler(clusterService::get));
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("russian", RussianProvider::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of("lowercase", LowercaseFactory::new);
    }

    static final class RussianProvider implements AnalyzerProvider<RussianAnalyzer> {
        private final String name;
        private final RussianAnalyzer analyzer;

        RussianProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            this.name = name;
            CharArraySet stopWords = Analysis.parseStopWords(env, settings, RussianAnalyzer.getDefaultStopSet());
            CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            this.analyzer = new RussianAnalyzer(stopWords, stemExclusion);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public AnalyzerScope scope() {
            return AnalyzerScope.INDEX;
        }

        @Override
        public RussianAnalyzer get() {
            return analyzer;
        }
    }

    static final class LowercaseFactory implements NormalizingTokenFilterFactory {
        private final String name;

        LowercaseFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new LowerCaseFilter(tokenStream);
        }
    }
}

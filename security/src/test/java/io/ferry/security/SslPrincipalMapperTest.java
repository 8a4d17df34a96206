package io.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The examples of Kafka's documentation and the edge cases of its rule syntax. */
class SslPrincipalMapperTest {

    private static String name(String rules, String distinguishedName) {
        return SslPrincipalMapper.parse(rules).name(distinguishedName).orElseThrow();
    }

    @Test
    void firstMatchingRuleWinsAsInKafkasDocumentation() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse(String.join(
                ", ",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L",
                "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L",
                "RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U",
                "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U",
                "DEFAULT"));

        assertEquals(Optional.of("duke"), mapper.name("CN=Duke,OU=ServiceUsers,O=Org,C=US"));
        assertEquals(Optional.of("duke@sme"), mapper.name("CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US"));
        assertEquals(Optional.of("DUKE@SME"), mapper.name("cn=duke,ou=sme,dc=mycp,dc=com"));
        assertEquals(Optional.of("DUKE"), mapper.name("cN=duke,OU=JavaSoft,O=Sun Microsystems"));
        assertEquals(
                Optional.of("OU=JavaSoft,O=Sun Microsystems,C=US"), mapper.name("OU=JavaSoft,O=Sun Microsystems,C=US"));
    }

    @Test
    void defaultIsTheWholeDistinguishedName() {
        assertEquals("CN=node-1,O=Ferry", name("DEFAULT", "CN=node-1,O=Ferry"));
    }

    @Test
    void noMatchingRuleMapsNothing() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/");
        assertEquals(Optional.empty(), mapper.name("CN=Duke,OU=Other"));
        assertEquals(Optional.empty(), SslPrincipalMapper.parse("").name("CN=Duke"));
    }

    @Test
    void aPatternMustMatchTheWholeName() {
        assertEquals(
                Optional.empty(), SslPrincipalMapper.parse("RULE:CN=(.*?),/$1/").name("CN=a,O=b"));
        assertEquals("a", name("RULE:CN=(.*?),.*/$1/", "CN=a,O=b"));
    }

    @Test
    void caseFlags() {
        assertEquals("duke", name("RULE:CN=(.*)/$1/L", "CN=DuKe"));
        assertEquals("DUKE", name("RULE:CN=(.*)/$1/U", "CN=DuKe"));
        assertEquals("DuKe", name("RULE:CN=(.*)/$1/", "CN=DuKe"));
    }

    @Test
    void anEscapedCommaInTheSubjectStaysInTheName() {
        assertEquals(
                "Tkac\\, Adam",
                name("RULE:^CN=((\\\\, *|\\w)+)(,.*|$)/$1/,DEFAULT", "CN=Tkac\\, Adam,OU=ITZ,DC=geodis,DC=cz"));
    }

    @Test
    void aBackReferenceToAMissingGroupIsText() {
        assertEquals("a@$4", name("RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$4/", "CN=a,OU=b,O=c"));
        // As Java reads $12 with one group: group 1, then the digit.
        assertEquals("a2", name("RULE:^CN=(.*)$/$12/", "CN=a"));
        assertEquals("CN=a!", name("RULE:^CN=(.*)$/$0!/", "CN=a"));
        assertEquals("$1", name("RULE:^CN=.*$/$1/", "CN=a"));
    }

    @Test
    void escapedSlashesAndDollars() {
        assertEquals("a/b$", name("RULE:^CN=(.*)\\/(.*)$/$1\\/$2\\$/", "CN=a/b"));
    }

    @Test
    void commasInsideARuleBelongToIt() {
        assertEquals("b", name("RULE:^CN=a,O=(.*)$/$1/,DEFAULT", "CN=a,O=b"));
    }

    @Test
    void rulesAreSplitAtCommasIgnoringWhiteSpaceAndEmptyRules() {
        assertEquals(List.of(), SslPrincipalMapper.parse("").rules());
        assertEquals(
                List.of(), SslPrincipalMapper.parse(",   , , ,      , , ,   ").rules());
        assertEquals(List.of("DEFAULT"), SslPrincipalMapper.parse("DEFAULT").rules());
        assertEquals(List.of("RULE:/"), SslPrincipalMapper.parse("RULE://").rules());
        assertEquals(
                List.of("RULE:/.*/L"), SslPrincipalMapper.parse("RULE:/.*/L").rules());
        assertEquals(
                List.of("RULE:/", "DEFAULT"),
                SslPrincipalMapper.parse("  RULE:// ,  DEFAULT  ").rules());
        assertEquals(
                List.of("RULE:/", "DEFAULT"),
                SslPrincipalMapper.parse(",,RULE://,,,DEFAULT,,").rules());
        // White space inside a rule is part of its pattern and replacement.
        assertEquals(
                List.of("RULE:   /     ", "DEFAULT"),
                SslPrincipalMapper.parse("  RULE:   /     / ,  DEFAULT  ").rules());
        assertEquals(
                List.of("RULE:([A-Z]*)/$1/U", "RULE:([a-z]+)/$1", "DEFAULT"),
                SslPrincipalMapper.parse("  RULE:([A-Z]*)/$1/U   ,RULE:([a-z]+)/$1/,   DEFAULT  ")
                        .rules());
        assertEquals(
                List.of("RULE:\\/\\\\\\(\\)\\n\\t/\\/\\/"),
                SslPrincipalMapper.parse("RULE:\\/\\\\\\(\\)\\n\\t/\\/\\//").rules());
    }

    @Test
    void rulesThatLookLikeSeparators() {
        assertEquals(
                List.of(
                        "RULE:,RULE:,/,RULE:,\\//U",
                        "RULE:,/RULE:,",
                        "RULE:,RULE:,/L,RULE:,/L",
                        "RULE:, DEFAULT, /DEFAULT",
                        "DEFAULT"),
                SslPrincipalMapper.parse(
                                "RULE:,RULE:,/,RULE:,\\//U,RULE:,/RULE:,/,RULE:,RULE:,/L,RULE:,/L,RULE:, DEFAULT, "
                                        + "/DEFAULT/,DEFAULT")
                        .rules());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT",
                "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/",
                "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L",
                "RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U",
                "RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/",
                "RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/",
                "RULE:^CN=(?<user>[^,]+)(,.*|$)/${user}/"
            })
    void validRules(String rules) {
        SslPrincipalMapper.parse(rules);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "default",
                "DEFAUL",
                "DEFAULT/L",
                "DEFAULT/U",
                "RULE:CN=(.*?),OU=ServiceUsers.*/$1",
                "rule:^CN=(.*?),OU=ServiceUsers.*$/$1/",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/L",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/U",
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/LU",
                "RULE:^CN=(.*$/$1/",
                "RULE:^CN=(.*)$/$x/",
                "RULE:^CN=(.*)$/a\\/",
                "DEFAULT, RULE:a/b"
            })
    void invalidRules(String rules) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SslPrincipalMapper.parse(rules));
        assertTrue(e.getMessage().startsWith("invalid rule '"), e.getMessage());
    }

    @Test
    void theErrorQuotesTheBadRuleAndSaysWhy() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SslPrincipalMapper.parse("DEFAULT, RULE:^CN=(.*$/$1/"));
        assertTrue(e.getMessage().startsWith("invalid rule 'RULE:^CN=(.*$/$1/': its pattern"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SslPrincipalMapper.parse("RULE:x/y/Q"));
        assertEquals("invalid rule 'RULE:x/y/Q': unexpected 'Q' after the rule", e.getMessage());
    }
}

# The OWL 2 RL rules the ontology needs, as SPARQL updates run to a fixpoint inside the
# store (kg.inference.materialise): first the schema rules, to a fixpoint, reading asserted
# and inferred triples (USING both graphs); then the instance rules, semi-naive (see their
# section). Each rule writes only what is new. Names follow the
# rule tables of OWL 2 RL (https://www.w3.org/TR/owl2-profiles/#OWL_2_RL). A test checks
# that they give the same instance-level triples as owlrl.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX g: <https://w3id.org/alliance-kg/graph/>

# rule scm-sco: subClassOf is transitive
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?c rdfs:subClassOf ?e } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?c rdfs:subClassOf/rdfs:subClassOf+ ?e FILTER(?c != ?e)
        FILTER NOT EXISTS { ?c rdfs:subClassOf ?e } } ;

# rule scm-eqc1: equivalent classes are subclasses of each other
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?c owl:equivalentClass ?d FILTER(?c != ?d)
        FILTER NOT EXISTS { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c } } ;

# rule scm-spo: subPropertyOf is transitive
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?p rdfs:subPropertyOf ?r } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p rdfs:subPropertyOf/rdfs:subPropertyOf+ ?r FILTER(?p != ?r)
        FILTER NOT EXISTS { ?p rdfs:subPropertyOf ?r } } ;

# rule scm-eqp1: equivalent properties are subproperties of each other
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p owl:equivalentProperty ?q FILTER(?p != ?q)
        FILTER NOT EXISTS { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p } } ;

# --- instance rules: semi-naive. Each pass joins the triples new in the last pass (g:delta)
# with all the others, and writes what it finds to g:inferred and to g:new, the next pass's
# delta (kg.inference.run_instance_passes swaps the two names between passes; the first two
# passes read other deltas: see kg.inference.materialise). Every triple of
# g:delta and g:new is also in g:asserted or g:inferred, so a rule checks that a triple is
# new with one look-up in any graph (GRAPH ?any), cheaper than one per graph.

# rule prp-rng: the (non-literal) object of a property is in its range. First in a pass:
# after the other rules' inserts it took four times as long at 1M triples (the order of a
# pass's rules does not change the fixpoint the passes reach).
INSERT { GRAPH g:inferred { ?y a ?c } GRAPH g:new { ?y a ?c } }
WHERE { GRAPH g:delta { ?x ?p ?y } FILTER(!isLiteral(?y)) VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p rdfs:range ?c }
        FILTER NOT EXISTS { GRAPH ?any { ?y a ?c } } } ;

# rule prp-inv1: inverse properties, one way
INSERT { GRAPH g:inferred { ?y ?q ?x } GRAPH g:new { ?y ?q ?x } }
WHERE { GRAPH g:delta { ?x ?p ?y } FILTER(!isLiteral(?y)) VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p owl:inverseOf ?q }
        FILTER NOT EXISTS { GRAPH ?any { ?y ?q ?x } } } ;

# rule prp-inv2: inverse properties, the other way
INSERT { GRAPH g:inferred { ?y ?p ?x } GRAPH g:new { ?y ?p ?x } }
WHERE { GRAPH g:delta { ?x ?q ?y } FILTER(!isLiteral(?y)) VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p owl:inverseOf ?q }
        FILTER NOT EXISTS { GRAPH ?any { ?y ?p ?x } } } ;

# rule prp-trp: transitive properties (new link first)
INSERT { GRAPH g:inferred { ?x ?p ?z } GRAPH g:new { ?x ?p ?z } }
WHERE { VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p a owl:TransitiveProperty } GRAPH g:delta { ?x ?p ?y } VALUES ?all { g:asserted g:inferred } GRAPH ?all { ?y ?p ?z }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?p ?z } } } ;

# rule prp-trp: transitive properties (new link second)
INSERT { GRAPH g:inferred { ?x ?p ?z } GRAPH g:new { ?x ?p ?z } }
WHERE { VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p a owl:TransitiveProperty } GRAPH g:delta { ?y ?p ?z } VALUES ?all { g:asserted g:inferred } GRAPH ?all { ?x ?p ?y }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?p ?z } } } ;

# rule prp-symp: symmetric properties
INSERT { GRAPH g:inferred { ?y ?p ?x } GRAPH g:new { ?y ?p ?x } }
WHERE { VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p a owl:SymmetricProperty } GRAPH g:delta { ?x ?p ?y } FILTER(!isLiteral(?y))
        FILTER NOT EXISTS { GRAPH ?any { ?y ?p ?x } } } ;

# rule prp-spo2: property chains of two properties (new first link)
INSERT { GRAPH g:inferred { ?x ?q ?z } GRAPH g:new { ?x ?q ?z } }
WHERE { VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?q owl:propertyChainAxiom ?chain . ?chain rdf:first ?p1 ; rdf:rest ?rest . ?rest rdf:first ?p2 ; rdf:rest rdf:nil } GRAPH g:delta { ?x ?p1 ?y } VALUES ?all { g:asserted g:inferred } GRAPH ?all { ?y ?p2 ?z }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?q ?z } } } ;

# rule prp-spo2: property chains of two properties (new second link)
INSERT { GRAPH g:inferred { ?x ?q ?z } GRAPH g:new { ?x ?q ?z } }
WHERE { VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?q owl:propertyChainAxiom ?chain . ?chain rdf:first ?p1 ; rdf:rest ?rest . ?rest rdf:first ?p2 ; rdf:rest rdf:nil } GRAPH g:delta { ?y ?p2 ?z } VALUES ?all { g:asserted g:inferred } GRAPH ?all { ?x ?p1 ?y }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?q ?z } } } ;

# rule prp-dom: the subject of a property is in its domain
INSERT { GRAPH g:inferred { ?x a ?c } GRAPH g:new { ?x a ?c } }
WHERE { GRAPH g:delta { ?x ?p ?y } VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p rdfs:domain ?c }
        FILTER NOT EXISTS { GRAPH ?any { ?x a ?c } } } ;

# rule cls-hv1: a member of a hasValue restriction has the value
INSERT { GRAPH g:inferred { ?x ?p ?v } GRAPH g:new { ?x ?p ?v } }
WHERE { GRAPH g:delta { ?x a ?r } VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?r owl:hasValue ?v ; owl:onProperty ?p }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?p ?v } } } ;

# rule cls-hv2: whatever has the value is a member of the hasValue restriction
INSERT { GRAPH g:inferred { ?x a ?r } GRAPH g:new { ?x a ?r } }
WHERE { GRAPH g:delta { ?x ?p ?v } VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?r owl:hasValue ?v ; owl:onProperty ?p }
        FILTER NOT EXISTS { GRAPH ?any { ?x a ?r } } } ;

# rule prp-spo1: a statement with a property holds for its superproperties. Last but one
# in a pass, and cax-sco last: the first pass runs these two over all triples found so far,
# which leaves the second pass to run them on what it finds alone (kg.inference.materialise)
INSERT { GRAPH g:inferred { ?x ?q ?y } GRAPH g:new { ?x ?q ?y } }
WHERE { GRAPH g:delta { ?x ?p ?y } VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?p rdfs:subPropertyOf ?q }
        FILTER NOT EXISTS { GRAPH ?any { ?x ?q ?y } } } ;

# rule cax-sco: an instance of a class is an instance of its superclasses
INSERT { GRAPH g:inferred { ?x a ?d } GRAPH g:new { ?x a ?d } }
WHERE { GRAPH g:delta { ?x a ?c } VALUES ?s { g:asserted g:inferred } GRAPH ?s { ?c rdfs:subClassOf ?d }
        FILTER NOT EXISTS { GRAPH ?any { ?x a ?d } } }

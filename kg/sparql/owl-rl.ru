# The OWL 2 RL rules the ontology needs, as SPARQL updates run to a fixpoint inside the
# store (kg.inference.materialise): first the schema rules, then the instance rules. Each rule reads asserted and inferred triples (USING
# both graphs) and writes only what is new into the inferred graph. Names follow the
# rule tables of OWL 2 RL (https://www.w3.org/TR/owl2-profiles/#OWL_2_RL). A test checks
# that they give the same instance-level triples as owlrl.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>

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

# --- instance rules: run, to a fixpoint, once the schema rules above have reached theirs

# rule prp-spo1: a statement with a property holds for its superproperties
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x ?q ?y } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p rdfs:subPropertyOf ?q . ?x ?p ?y FILTER NOT EXISTS { ?x ?q ?y } } ;

# rules prp-inv1, prp-inv2: inverse properties, both ways
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?y ?q ?x } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
        ?x ?p ?y FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?q ?x } } ;

# rule prp-trp: transitive properties
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x ?p ?z } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z FILTER NOT EXISTS { ?x ?p ?z } } ;

# rule prp-symp: symmetric properties
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?y ?p ?x } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?p ?x } } ;

# rule prp-spo2: property chains of two properties (the only length the ontology uses)
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x ?q ?z } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?q owl:propertyChainAxiom ?chain . ?chain rdf:first ?p1 ; rdf:rest ?rest .
        ?rest rdf:first ?p2 ; rdf:rest rdf:nil .
        ?x ?p1 ?y . ?y ?p2 ?z FILTER NOT EXISTS { ?x ?q ?z } } ;

# rule prp-dom: the subject of a property is in its domain
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x a ?c } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p rdfs:domain ?c . ?x ?p ?y FILTER NOT EXISTS { ?x a ?c } } ;

# rule prp-rng: the (non-literal) object of a property is in its range
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?y a ?c } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?p rdfs:range ?c . ?x ?p ?y FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y a ?c } } ;

# rule cls-hv1: a member of a hasValue restriction has the value
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x ?p ?v } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?r owl:hasValue ?v ; owl:onProperty ?p . ?x a ?r FILTER NOT EXISTS { ?x ?p ?v } } ;

# rule cls-hv2: whatever has the value is a member of the hasValue restriction
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x a ?r } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?r owl:hasValue ?v ; owl:onProperty ?p . ?x ?p ?v FILTER NOT EXISTS { ?x a ?r } } ;

# rule cax-sco: an instance of a class is an instance of its superclasses
INSERT { GRAPH <https://w3id.org/alliance-kg/graph/inferred> { ?x a ?d } }
USING <https://w3id.org/alliance-kg/graph/asserted> USING <https://w3id.org/alliance-kg/graph/inferred>
WHERE { ?c rdfs:subClassOf ?d . ?x a ?c FILTER NOT EXISTS { ?x a ?d } }

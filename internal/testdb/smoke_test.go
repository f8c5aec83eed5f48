package testdb_test
import ("testing"; "context"; "github.com/dolibarr-go/dolibarr/internal/testdb"; "github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence")
func TestSmoke(t *testing.T){ testdb.Each(t, func(t *testing.T, db *persistence.DB){ v,_,err:=db.SchemaVersion(context.Background()); if err!=nil||v!=1 {t.Fatal(v,err)} }) }

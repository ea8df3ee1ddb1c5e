-- Runs after citeproc on a part of the thesis converted on its own. The part began with the
-- citations of the whole thesis that its own depend on, in the order the thesis first cites them
-- (a Div of class "thesisbuild-prime"), so that citeproc numbers and disambiguates as it would for
-- the whole thesis; that Div is dropped here.
function Div(el)
  if el.classes:includes("thesisbuild-prime") then
    return {}
  end
end
